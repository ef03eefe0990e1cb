using Rethink.Experiments.Charts;

namespace Rethink.Experiments.Sweeps;

/// <summary>
/// Notebook 01: why training from scratch needs GN or SyncBN. Mask R-CNN from random init with BN and GN at several
/// batch sizes (same images seen: iterations scale as 1/batch, the learning rate linearly with it), plus the other
/// norms at the plan's batch size. On one device SyncBN is BN over the whole batch, so "bn at batch 16" is what SyncBN
/// over 8 GPUs x 2 images computes; BN at batch 1 or 2 is per-GPU BN.
/// </summary>
public static class NormalizationSweep
{
    /// <summary>Batch sizes of the sweep at a scale.</summary>
    public static IReadOnlyList<int> BatchSizes(StudyPlan plan) => plan.Scale switch
    {
        "smoke" => [1, 2],
        "tiny" => [1, 2, 4, 8],
        _ => [2, 4, 8, 16],
    };

    /// <summary>Norms run at the plan's batch size only (FrozenBN from scratch freezes the init statistics: no normalization at all).</summary>
    public static readonly string[] OtherNorms = ["syncbn", "frozenbn", "none"];

    /// <summary>The config at batch <paramref name="batch"/>, with the same images seen as the plan's.</summary>
    public static DetectionConfig AtBatch(DetectionConfig c, int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch size must be positive");
        double f = (double)c.BatchSize / batch;
        return c with
        {
            BatchSize = batch,
            BaseIterations = Math.Max(1, (int)Math.Round(c.BaseIterations * f)),
            WarmupIterations = (int)Math.Round(c.WarmupIterations * f),
            LearningRate = c.LearningRate / f,
        };
    }

    public static IReadOnlyList<SweepRun> Runs(StudyPlan plan)
    {
        var c = plan.Detection with { Init = "scratch", EvaluationPeriod = 0 };
        var runs = new List<SweepRun>();
        foreach (string norm in new[] { "gn", "bn" })
            foreach (int b in BatchSizes(plan))
                runs.Add(new SweepRun(Sweep.Factors(("norm", norm), ("batch", b)), AtBatch(c with { Norm = norm }, b)));
        foreach (string norm in OtherNorms)
            runs.Add(new SweepRun(Sweep.Factors(("norm", norm), ("batch", c.BatchSize)), c with { Norm = norm }));
        return runs;
    }

    public static SweepOutcome Run(NotebookSession s, Func<string, Training.TrainingEvents>? eventsFor = null) =>
        Sweep.Run("normalization", Runs(s.Plan), s.Root, eventsFor);

    /// <summary>bbox AP against batch size: a line for BN and GN, single points for the others.</summary>
    public static PlotlyFigure Chart(SweepOutcome o, string metric = "bbox/AP")
    {
        var fig = new PlotlyFigure($"Batch-size sensitivity from random init ({metric}, same images seen)", "images per batch (log scale)", metric);
        fig.Layout["xaxis"]!["type"] = "log";
        var colors = new Dictionary<string, string> { ["gn"] = "#d62728", ["bn"] = "#1f77b4", ["syncbn"] = "#9467bd", ["frozenbn"] = "#7f7f7f", ["none"] = "#2ca02c" };
        foreach (string norm in o.Values("norm"))
        {
            var points = o.Where("norm", norm).OrderBy(r => r.Run.Number("batch")).ToList();
            fig.Line(NormLabel(norm), points.Select(p => p.Run.Number("batch")), points.Select(p => 100 * p.Result.Final(metric)),
                colors.GetValueOrDefault(norm), markers: true);
        }
        return fig;
    }

    /// <summary>What this sweep's numbers say about batch-size sensitivity.</summary>
    public static IReadOnlyList<string> Findings(SweepOutcome o, string metric = "bbox/AP")
    {
        var lines = new List<string>();
        foreach (string norm in new[] { "gn", "bn" })
        {
            var pts = o.Where("norm", norm).OrderBy(r => r.Run.Number("batch")).ToList();
            if (pts.Count < 2) continue;
            double small = 100 * pts[0].Result.Final(metric), large = 100 * pts[^1].Result.Final(metric);
            lines.Add($"{NormLabel(norm)}: {small:F1} {metric} at batch {pts[0].Run.Factor("batch")}, {large:F1} at batch {pts[^1].Run.Factor("batch")} ({small - large:+0.0;-0.0} going small).");
        }
        foreach (string norm in OtherNorms)
            foreach (var (run, r) in o.Where("norm", norm))
                lines.Add($"{NormLabel(norm)} at batch {run.Factor("batch")}: {100 * r.Final(metric):F1} {metric}.");
        lines.AddRange(Sweep.DivergedLines(o));
        return lines;
    }

    public static string NormLabel(string norm) => norm switch
    {
        "gn" => "GN", "bn" => "BN (per-batch statistics)", "syncbn" => "SyncBN (= BN over the batch on one device)",
        "frozenbn" => "FrozenBN (init statistics)", "none" => "no normalization", _ => norm,
    };
}
