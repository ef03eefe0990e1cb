using Rethink.Experiments.Charts;

namespace Rethink.Experiments.Sweeps;

/// <summary>
/// Notebook 04: less data. The paper's 35k / 10k / 3.5k / 1k COCO subsets are 30%, 8.5%, 3% and 0.85% of train2017;
/// here the same shares of the plan's training set, GN from scratch and pre-trained, at the plan's 2x with evaluation
/// along the way, so a curve that falls late in training shows over-fitting.
/// </summary>
public static class LessDataSweep
{
    public static readonly double[] PaperShares = [35_000 / 118_287.0, 10_000 / 118_287.0, 3_500 / 118_287.0, 1_000 / 118_287.0];

    /// <summary>Training-set sizes at a scale (the smoke scale keeps two, for speed).</summary>
    public static IReadOnlyList<int> Sizes(StudyPlan plan)
    {
        var shares = plan.Scale == "smoke" ? [0.5, 0.125] : PaperShares;
        return shares.Select(s => Math.Max(4 * plan.Detection.BatchSize, (int)Math.Round(plan.Detection.TrainImages * s))).Distinct().ToList();
    }

    public static IReadOnlyList<SweepRun> Runs(StudyPlan plan, string pretrainedInit, double schedule = 2)
    {
        var c = plan.Detection with { Norm = "gn", ScheduleMultiplier = schedule };
        c = c with { EvaluationPeriod = Math.Max(1, c.TotalIterations / Math.Max(2, plan.CurvePoints / 2)) };
        var runs = new List<SweepRun>();
        foreach (int n in Sizes(plan))
            foreach (var (init, spec) in new[] { ("scratch", "scratch"), ("pretrained", pretrainedInit) })
                runs.Add(new SweepRun(Sweep.Factors(("images", n), ("init", init)), c with { TrainImages = n, Init = spec }));
        return runs;
    }

    public static SweepOutcome Run(NotebookSession s, Func<string, Training.TrainingEvents>? eventsFor = null) =>
        Sweep.Run("less data", Runs(s.Plan, s.PretrainedGn()), s.Root, eventsFor);

    /// <summary>Final bbox AP against training images, scratch and pre-trained.</summary>
    public static PlotlyFigure Chart(SweepOutcome o, string metric = "bbox/AP")
    {
        var fig = new PlotlyFigure($"Less data: final {metric} against training images", "training images (log scale)", metric);
        fig.Layout["xaxis"]!["type"] = "log";
        foreach (string init in o.Values("init"))
        {
            var pts = o.Where("init", init).OrderBy(r => r.Run.Number("images")).ToList();
            fig.Line(init == "scratch" ? "random init" : "pre-trained", pts.Select(p => p.Run.Number("images")), pts.Select(p => 100 * p.Result.Final(metric)),
                init == "scratch" ? "#d62728" : "#1f77b4");
        }
        return fig;
    }

    /// <summary>Validation AP during training for each run of one data size: a curve that peaks and falls is over-fitting.</summary>
    public static PlotlyFigure Curves(SweepOutcome o, int images, string metric = "bbox/AP")
    {
        var fig = new PlotlyFigure($"{images} training images: {metric} during training", "iteration", metric);
        foreach (var (run, r) in o.Where("images", images.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            var pts = r.Curve.Where(p => p.Values.ContainsKey(metric)).ToList();
            fig.Line(run.Factor("init") == "scratch" ? "random init" : "pre-trained", pts.Select(p => (double)p.Iteration), pts.Select(p => 100 * p.Values[metric]),
                run.Factor("init") == "scratch" ? "#d62728" : "#1f77b4");
        }
        return fig;
    }

    /// <summary>Final AP of both inits at each size, and where random init falls behind.</summary>
    public static IReadOnlyList<string> Findings(SweepOutcome o, string metric = "bbox/AP")
    {
        var lines = new List<string>();
        foreach (string n in o.Values("images"))
        {
            double scr = o.Where("images", n).Where(r => r.Run.Factor("init") == "scratch").Select(r => 100 * r.Result.Final(metric)).FirstOrDefault(double.NaN);
            double pre = o.Where("images", n).Where(r => r.Run.Factor("init") == "pretrained").Select(r => 100 * r.Result.Final(metric)).FirstOrDefault(double.NaN);
            lines.Add($"{n} images: pre-trained {pre:F1}, random init {scr:F1} {metric} ({scr - pre:+0.0;-0.0}).");
        }
        lines.AddRange(Sweep.DivergedLines(o));
        int? behind = ScratchBehindFrom(o, 1.0, metric);
        lines.Add(behind is int b ? $"Random init is more than a point behind from {b} training images down (paper: between 10k and 3.5k COCO images)." : "Random init stays within a point of pre-training at every size here.");
        return lines;
    }

    /// <summary>The largest training-set size at which random init is more than <paramref name="gap"/> AP points behind pre-training (null: at none).</summary>
    public static int? ScratchBehindFrom(SweepOutcome o, double gap = 1.0, string metric = "bbox/AP")
    {
        int? below = null;
        foreach (string n in o.Values("images").OrderByDescending(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)))
        {
            double scr = o.Where("images", n).Where(r => r.Run.Factor("init") == "scratch").Select(r => r.Result.Final(metric)).FirstOrDefault(double.NaN);
            double pre = o.Where("images", n).Where(r => r.Run.Factor("init") == "pretrained").Select(r => r.Result.Final(metric)).FirstOrDefault(double.NaN);
            if (100 * (pre - scr) > gap) below ??= int.Parse(n, System.Globalization.CultureInfo.InvariantCulture);
        }
        return below;
    }
}
