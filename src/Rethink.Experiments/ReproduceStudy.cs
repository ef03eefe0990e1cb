using System.Globalization;
using System.Text;
using Rethink.Experiments.Scheduling;
using Rethink.Training;

namespace Rethink.Experiments;

/// <summary>What the study did: its plan, the pre-training accuracies, and every detection run's results.</summary>
public sealed record StudyOutcome(StudyPlan Plan, string Root, IReadOnlyDictionary<string, double> PretrainGn,
    IReadOnlyDictionary<string, double> PretrainBn, IReadOnlyList<(StudyRun Run, RunResult Result)> Runs, TimeSpan Elapsed)
{
    /// <summary>Runs that stopped on a NaN/Inf loss, with the engine's message (they have no results).</summary>
    public IReadOnlyList<(StudyRun Run, string Message)> Diverged { get; init; } = [];

    public string ResultsCsv => Path.Combine(Root, "results.csv");
    public string ReportHtml => Path.Combine(Root, "report.html");
}

/// <summary>
/// `rethink reproduce`: pre-trains where it must, runs every detection run of the plan (reusing finished ones),
/// then writes results.csv and report.html (Figure 1, Table 1, Table 2, and what the numbers say).
/// </summary>
public static class ReproduceStudy
{
    /// <summary>
    /// Runs the study. With <paramref name="workers"/>, independent runs train side by side in worker processes (the
    /// pre-trainings and the from-scratch runs first, each pre-trained run as soon as its pre-training is done);
    /// without, one after another in this process. Either way a run's numbers are the same.
    /// </summary>
    public static StudyOutcome Run(StudyPlan plan, string root, Func<string, TrainingEvents>? eventsFor = null, CancellationToken cancel = default,
        WorkerOptions? workers = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(root);
        var jobs = Jobs(plan, root);
        var status = JobRunner.Run(jobs, workers, eventsFor, cancel);
        var results = new List<(StudyRun, RunResult)>();
        var diverged = new List<(StudyRun, string)>();
        foreach (var run in plan.Runs(root))
        {
            var s = status[run.Directory(root)];
            // A diverging run is a result too (e.g. the frozen-BN baseline at a from-scratch learning rate): reported, not fatal.
            if (s.Done) results.Add((run, RunResult.Load(run.Directory(root))));
            else diverged.Add((run, s.Message ?? s.State));
        }
        var gn = PretrainAccuracy(plan.PretrainDirectory(root, plan.PretrainGn));
        var bn = plan.FrozenBnSchedules.Count > 0 ? PretrainAccuracy(plan.PretrainDirectory(root, plan.PretrainBn)) : new Dictionary<string, double>();
        var outcome = new StudyOutcome(plan, Path.GetFullPath(root), gn, bn, results, sw.Elapsed) { Diverged = diverged };
        WriteResultsCsv(outcome);
        File.WriteAllText(outcome.ReportHtml, StudyReport.Html(outcome));
        return outcome;
    }

    /// <summary>
    /// The study's jobs in the order they should start: pre-trainings, then detection runs by the length of the chain
    /// they begin (their own iterations and those of the longest run that waits for them), so that a long chain such
    /// as the frozen-BN 2x run and its 1x fork does not end up alone at the end.
    /// </summary>
    public static IReadOnlyList<StudyJob> Jobs(StudyPlan plan, string root)
    {
        string gnDir = plan.PretrainDirectory(root, plan.PretrainGn), bnDir = plan.PretrainDirectory(root, plan.PretrainBn);
        var jobs = new List<StudyJob> { new PretrainJob(plan.PretrainGn, "pretrain gn", gnDir) };
        if (plan.FrozenBnSchedules.Count > 0) jobs.Add(new PretrainJob(plan.PretrainBn, "pretrain bn", bnDir));
        var runs = plan.Runs(root);
        var detection = new List<DetectionJob>();
        foreach (var run in runs.OrderByDescending(r => r.Config.TotalIterations))
        {
            var waits = new List<string>();
            if (run.Config.Init == "pretrained:" + gnDir) waits.Add(gnDir);
            if (run.Config.Init == "pretrained:" + bnDir) waits.Add(bnDir);
            // Shorter schedules of a family fork from its longest run at their first learning-rate drop.
            var trunk = runs.Where(r => r.Family == run.Family).MaxBy(r => r.Config.TotalIterations)!;
            var config = run.Config;
            Fork? from = null;
            if (plan.ForkShorterSchedules && trunk != run && ForkPoint(run.Config) is long at and > 0)
            {
                from = new Fork(trunk.Directory(root), at);
                waits.Add(from.TrunkDirectory);
            }
            if (plan.ForkShorterSchedules && trunk == run)
            {
                var points = runs.Where(r => r.Family == run.Family && r != run).Select(r => ForkPoint(r.Config)).Where(p => p > 0).Distinct().Order().ToList();
                if (points.Count > 0) config = config with { KeepCheckpointsAt = points };
            }
            detection.Add(new DetectionJob(config, $"{run.Family} {run.Config.ScheduleMultiplier:0.##}x", run.Directory(root), waits) { From = from });
        }
        long Chain(DetectionJob j) => j.Iterations + detection.Where(d => d.WaitsFor.Contains(j.Directory)).Select(Chain).DefaultIfEmpty(0).Max();
        jobs.AddRange(detection.OrderByDescending(Chain)); // stable: scratch before pre-trained among equals
        return jobs;
    }

    /// <summary>Where a schedule's learning rate first drops: up to there it is the same run as any longer schedule.</summary>
    static long ForkPoint(DetectionConfig c) =>
        new LearningRateSchedule(c.BaseIterations, c.ScheduleMultiplier, c.LearningRate, c.WarmupIterations).Milestones[0];

    static IReadOnlyDictionary<string, double> PretrainAccuracy(string directory) =>
        new RunDirectory(directory).Outcome()?.FinalEvaluation ?? new Dictionary<string, double>();

    public static readonly string[] ResultColumns =
        ["init", "norm", "schedule", "iterations", "images_seen", "bbox_AP", "bbox_AP50", "bbox_AP75", "mask_AP", "mask_AP50", "mask_AP75", "train_seconds", "run", "status"];

    static void WriteResultsCsv(StudyOutcome o)
    {
        var sb = new StringBuilder(string.Join(",", ResultColumns) + "\n");
        string F(double v) => double.IsNaN(v) ? "" : (100 * v).ToString("F2", CultureInfo.InvariantCulture);
        foreach (var (run, r) in o.Runs)
        {
            sb.AppendLine(string.Join(",", run.Init, run.Norm, $"{run.Config.ScheduleMultiplier:0.##}x", r.Outcome.Iterations, r.Outcome.ImagesSeen,
                F(r.Final("bbox/AP")), F(r.Final("bbox/AP50")), F(r.Final("bbox/AP75")),
                F(r.Final("segm/AP")), F(r.Final("segm/AP50")), F(r.Final("segm/AP75")),
                r.Outcome.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture), Path.GetRelativePath(o.Root, r.Directory), "done"));
        }
        foreach (var (run, message) in o.Diverged)
            sb.AppendLine(string.Join(",", run.Init, run.Norm, $"{run.Config.ScheduleMultiplier:0.##}x", run.Config.TotalIterations, "", "", "", "", "", "", "", "",
                Path.GetRelativePath(o.Root, run.Directory(o.Root)), "diverged"));
        File.WriteAllText(o.ResultsCsv, sb.ToString());
    }
}
