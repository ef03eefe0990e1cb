using Rethink.Experiments.Charts;

namespace Rethink.Experiments.Sweeps;

/// <summary>
/// Notebook 05: no normalization. A VGG-style Faster R-CNN (VGG-16 backbone, no BN or GN anywhere, MSRA init; width 1/4
/// below the small scale) from random init at 1x and 2x, against the same network pre-trained without normalization
/// on the procedural classification set (paper: VGG-16, pre-trained 35.6 AP at 9x, random init 35.2 at 11x).
/// </summary>
public static class NoNormSweep
{
    public static double Width(StudyPlan plan) => plan.Scale == "small" ? 1.0 : 0.25;

    public static DetectionConfig Base(StudyPlan plan) => plan.Detection with
    {
        Arch = plan.Scale == "small" ? "fasterrcnn-vgg16-fpn" : "fasterrcnn-tiny-fpn",
        Backbone = "vgg16", Width = Width(plan), Norm = "none", EvaluationPeriod = 0,
    };

    /// <summary>
    /// The VGG pre-training: the plan's GN pre-training with the VGG backbone and no norm, at half the rate; below the
    /// small scale with half the iterations too (a VGG-16/4 step at 64 px cost about 2 s on the shared 2-core machine,
    /// so 1600 iterations would hold notebook 05 for about an hour).
    /// </summary>
    public static PretrainConfig Pretraining(StudyPlan plan) => plan.PretrainGn with
    {
        Backbone = Width(plan) == 1.0 ? "vgg16" : "vgg16-tiny", Norm = "none", LearningRate = plan.PretrainGn.LearningRate / 2,
        Iterations = plan.Scale is "smoke" or "small" ? plan.PretrainGn.Iterations : plan.PretrainGn.Iterations / 2,
    };

    public static IReadOnlyList<SweepRun> Runs(StudyPlan plan, string pretrainedInit)
    {
        var c = Base(plan);
        return
        [
            new SweepRun(Sweep.Factors(("init", "scratch"), ("schedule", 1)), c with { Init = "scratch", ScheduleMultiplier = 1 }),
            new SweepRun(Sweep.Factors(("init", "scratch"), ("schedule", 2)), c with { Init = "scratch", ScheduleMultiplier = 2 }),
            new SweepRun(Sweep.Factors(("init", "pretrained"), ("schedule", 1)), c with { Init = pretrainedInit, ScheduleMultiplier = 1 }),
        ];
    }

    public static SweepOutcome Run(NotebookSession s, Func<string, Training.TrainingEvents>? eventsFor = null) =>
        Sweep.Run("no normalization", Runs(s.Plan, s.Pretrained(Pretraining(s.Plan))), s.Root, eventsFor);

    public static IReadOnlyList<string> Findings(SweepOutcome o, string metric = "bbox/AP") =>
        o.Runs.Select(r => $"{(r.Run.Factor("init") == "scratch" ? "random init (MSRA)" : "pre-trained")}, {r.Run.Factor("schedule")}x: {100 * r.Result.Final(metric):F1} {metric}" +
            (double.IsNaN(r.Result.Final(metric)) ? " (no result)" : "") + ".").Concat(Sweep.DivergedLines(o)).ToList();

    /// <summary>bbox AP by schedule, random init against pre-trained.</summary>
    public static PlotlyFigure Chart(SweepOutcome o, string metric = "bbox/AP")
    {
        var fig = new PlotlyFigure($"VGG-style, no normalization: {metric} by schedule", "schedule", metric);
        foreach (string init in o.Values("init"))
        {
            var pts = o.Where("init", init).OrderBy(r => r.Run.Number("schedule")).ToList();
            fig.Bars(init == "scratch" ? "random init (MSRA)" : "pre-trained", pts.Select(p => $"{p.Run.Factor("schedule")}x"), pts.Select(p => 100 * p.Result.Final(metric)),
                init == "scratch" ? "#d62728" : "#1f77b4");
        }
        fig.Layout["barmode"] = "group";
        return fig;
    }
}
