using Rethink.DataPrep.Shapes;
using Rethink.Experiments.Charts;

namespace Rethink.Experiments.Sweeps;

/// <summary>
/// Notebook 06: VOC-like data. COCO has about 7 instances per image, PASCAL VOC about 2.3: with the same images seen,
/// VOC-like data gives far fewer instances to learn from, and the paper's scratch model does not catch up on VOC
/// (82.7 mAP pre-trained against 77.6). Here the procedural set at both densities, GN from scratch and pre-trained.
/// </summary>
public static class DensitySweep
{
    public const double CocoLike = 7.0, VocLike = 2.3;

    public static IReadOnlyList<SweepRun> Runs(StudyPlan plan, string pretrainedInit, double schedule = 1)
    {
        var c = plan.Detection with { Norm = "gn", ScheduleMultiplier = schedule, EvaluationPeriod = 0 };
        var runs = new List<SweepRun>();
        foreach (var (name, mean) in new[] { ("COCO-like", CocoLike), ("VOC-like", VocLike) })
            foreach (var (init, spec) in new[] { ("scratch", "scratch"), ("pretrained", pretrainedInit) })
                runs.Add(new SweepRun(Sweep.Factors(("data", name), ("init", init)), c with { MeanInstances = mean, Init = spec }));
        return runs;
    }

    public static SweepOutcome Run(NotebookSession s, Func<string, Training.TrainingEvents>? eventsFor = null) =>
        Sweep.Run("density", Runs(s.Plan, s.PretrainedGn()), s.Root, eventsFor);

    /// <summary>Instances per image over the first <paramref name="images"/> training scenes of a density.</summary>
    public static double InstancesPerImage(DetectionConfig c, double meanInstances, int images = 200)
    {
        var source = new ShapesSource(Math.Min(images, c.TrainImages), c.DataSeed, new ShapesConfig { Size = c.ImageSize, MeanInstances = meanInstances });
        return Enumerable.Range(0, source.Count).Average(i => source[i].LoadAnnotations().Count);
    }

    public static IReadOnlyList<string> Findings(SweepOutcome o, string metric = "bbox/AP50")
    {
        var lines = new List<string>();
        foreach (string data in o.Values("data"))
        {
            double scr = o.Where("data", data).Where(r => r.Run.Factor("init") == "scratch").Select(r => 100 * r.Result.Final(metric)).FirstOrDefault(double.NaN);
            double pre = o.Where("data", data).Where(r => r.Run.Factor("init") == "pretrained").Select(r => 100 * r.Result.Final(metric)).FirstOrDefault(double.NaN);
            lines.Add($"{data}: pre-trained {pre:F1}, random init {scr:F1} {metric}; random init {(scr >= pre - 1 ? "keeps up" : $"is {pre - scr:F1} behind")}.");
        }
        lines.AddRange(Sweep.DivergedLines(o));
        return lines;
    }

    /// <summary>AP50 (VOC's metric) and AP by density, random init against pre-trained.</summary>
    public static PlotlyFigure Chart(SweepOutcome o, string metric = "bbox/AP50")
    {
        var fig = new PlotlyFigure($"Instances per image: {metric}", "data", metric);
        foreach (string init in o.Values("init"))
        {
            var pts = o.Where("init", init).ToList();
            fig.Bars(init == "scratch" ? "random init" : "pre-trained", pts.Select(p => p.Run.Factor("data")), pts.Select(p => 100 * p.Result.Final(metric)),
                init == "scratch" ? "#d62728" : "#1f77b4");
        }
        fig.Layout["barmode"] = "group";
        return fig;
    }
}
