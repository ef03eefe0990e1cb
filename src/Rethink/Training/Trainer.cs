using System.Diagnostics;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>The engine's own settings: schedule, optimizer, and how often to checkpoint and evaluate.</summary>
public sealed record EngineConfig
{
    public required LearningRateSchedule Schedule { get; init; }
    public OptimizerConfig Optimizer { get; init; } = new();
    public int CheckpointPeriod { get; init; } = 100;
    /// <summary>Evaluate every this many iterations (0: only at the end).</summary>
    public int EvaluationPeriod { get; init; }
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Checkpoints at these iterations are written whatever the period and never pruned (runs fork from them).</summary>
    public IReadOnlyList<long> KeepCheckpointsAt { get; init; } = [];
    /// <summary>
    /// Config hashes (besides the run's own) whose checkpoints the run may start from: a shorter schedule forked from a
    /// longer one's checkpoint before their learning rates part (same state, same data order, same numbers).
    /// </summary>
    public IReadOnlyCollection<string> AcceptedStartHashes { get; init; } = [];
}

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
public sealed record TrainingOutcome(long Iterations, long ImagesSeen, double TrainSeconds, bool Resumed, bool AlreadyFinished,
    IReadOnlyDictionary<string, double>? FinalEvaluation);

/// <summary>
/// One engine for detection and classification: SGD with the paper's schedule, metrics.csv per iteration,
/// evaluations, atomic checkpoints, resume after a kill (same metrics afterwards, on the CPU with a fixed seed), a
/// stop with a clear message on a NaN/Inf loss, and events for live charts. Each step runs in its own DisposeScope.
/// </summary>
public sealed class Trainer(ITrainingTask task, EngineConfig config, RunDirectory run, string configHash, TrainingEvents? events = null)
{
    public TrainingEvents Events { get; } = events ?? new TrainingEvents();

    public TrainingOutcome Run(CancellationToken cancel = default)
    {
        config.Schedule.Validate();
        if (run.Outcome() is { } finished) return finished with { AlreadyFinished = true };
        Directory.CreateDirectory(run.CheckpointDir);
        var model = task.Model;
        var optimizer = new SgdOptimizer(model, config.Optimizer);
        long start = 0, imagesSeen = 0;
        double trainSeconds = 0;
        bool resumed = false;
        var latest = run.LatestCheckpoint();
        if (latest is not null)
        {
            var info = Checkpoint.Load(latest, model, optimizer);
            bool fork = info.ConfigHash != configHash && config.AcceptedStartHashes.Contains(info.ConfigHash);
            if (info.ConfigHash != configHash && !fork)
                throw new InvalidOperationException($"{run.Path} holds a run of a different configuration (checkpoint {Path.GetFileName(latest)}); use another --out or delete it.");
            (start, imagesSeen, trainSeconds, resumed) = (info.Iteration, info.ImagesSeen, info.TrainSeconds, true);
            RunDirectory.TruncateCsv(run.MetricsFile, start);
            RunDirectory.TruncateCsv(run.EvaluationsFile, start);
            Message(fork ? $"forked at iteration {start} from {Path.GetFileName(latest)} of run {info.ConfigHash[..8]}" : $"resumed from {Path.GetFileName(latest)} at iteration {start}");
        }
        else
        {
            foreach (var f in new[] { run.MetricsFile, run.EvaluationsFile }) if (File.Exists(f)) File.Delete(f);
            Message($"started: {config.Schedule.TotalIterations} iterations, batch {task.BatchSize}, {optimizer.ParameterCount} parameter tensors ({optimizer.DecayedParameterCount} with weight decay)");
        }

        long total = config.Schedule.TotalIterations;
        IReadOnlyDictionary<string, double>? lastEval = null;
        model.train();
        if (start < total)
        {
            using var batches = task.Batches(start, cancel).GetEnumerator();
            for (long it = start; it < total; it++)
            {
                cancel.ThrowIfCancellationRequested();
                if (!batches.MoveNext()) throw new InvalidOperationException("the batch stream ended early");
                var sw = Stopwatch.StartNew();
                double lr = config.Schedule.At(it);
                Dictionary<string, double> values;
                double totalLoss, gradNorm;
                using (var batch = batches.Current)
                using (var scope = NewDisposeScope())
                {
                    var losses = task.Losses(batch);
                    var sum = losses.Values.Aggregate((a, b) => a.add(b, Scalars.One));
                    values = losses.ToDictionary(kv => kv.Key, kv => Scalars.ToDouble(kv.Value));
                    totalLoss = Scalars.ToDouble(sum);
                    if (!double.IsFinite(totalLoss))
                    {
                        string which = string.Join(", ", values.Where(kv => !double.IsFinite(kv.Value)).Select(kv => kv.Key));
                        string msg = $"iteration {it + 1}: the loss is {totalLoss} ({which}) at learning rate {lr:G3}; training stopped. " +
                                     $"The last good checkpoint is kept ({Path.GetFileName(run.LatestCheckpoint() ?? "none yet")}). " +
                                     "Try a lower learning rate, a longer warm-up, gradient clipping, or GN/SyncBN for from-scratch runs.";
                        Message(msg);
                        throw new TrainingDivergedException(msg);
                    }
                    optimizer.ZeroGrad();
                    using (StepProfiler.Measure("backward")) sum.backward();
                    using (StepProfiler.Measure("optimizer")) gradNorm = optimizer.Step(lr);
                }
                double seconds = sw.Elapsed.TotalSeconds;
                trainSeconds += seconds;
                imagesSeen += task.BatchSize;
                long done = it + 1;
                var metrics = new IterationMetrics(done, imagesSeen, lr, values, totalLoss, gradNorm, seconds, task.BatchSize / seconds, total);
                WriteMetrics(metrics);
                Events.RaiseIteration(metrics);
                bool last = done == total;
                if (last || (config.EvaluationPeriod > 0 && done % config.EvaluationPeriod == 0))
                {
                    lastEval = Evaluate(done, imagesSeen);
                    model.train();
                }
                if (last || done % config.CheckpointPeriod == 0 || config.KeepCheckpointsAt.Contains(done))
                    SaveCheckpoint(done, imagesSeen, trainSeconds, model, optimizer);
            }
        }
        var outcome = new TrainingOutcome(total, imagesSeen, trainSeconds, resumed, false, lastEval);
        run.WriteJson("done.json", outcome);
        Message($"finished: {total} iterations, {imagesSeen} images, {trainSeconds:F1} s of training");
        return outcome;
    }

    IReadOnlyDictionary<string, double>? Evaluate(long iteration, long imagesSeen)
    {
        var values = task.Evaluate(run.Path, iteration);
        if (values is null) return null;
        var header = new List<string> { "iteration", "images_seen" };
        header.AddRange(values.Keys);
        RunDirectory.AppendCsv(run.EvaluationsFile, header,
            new[] { iteration.ToString(), imagesSeen.ToString() }.Concat(values.Values.Select(RunDirectory.F)));
        Events.RaiseEvaluation(new EvaluationMetrics(iteration, imagesSeen, values));
        Message($"evaluation at iteration {iteration}: " + string.Join(", ", values.Take(6).Select(kv => $"{kv.Key} {kv.Value:F4}")));
        return values;
    }

    void SaveCheckpoint(long iteration, long imagesSeen, double trainSeconds, nn.Module model, SgdOptimizer optimizer)
    {
        string path = run.CheckpointPath(iteration);
        Checkpoint.Save(path, new CheckpointInfo(iteration, imagesSeen, trainSeconds, configHash), model, optimizer);
        var kept = config.KeepCheckpointsAt.Select(run.CheckpointPath).ToHashSet();
        var all = Directory.GetFiles(run.CheckpointDir, "ckpt-*.bin").Where(f => !kept.Contains(f)).OrderBy(f => f, StringComparer.Ordinal).ToList();
        foreach (var old in all.Take(Math.Max(0, all.Count - Math.Max(1, config.KeepCheckpoints)))) File.Delete(old);
        Events.RaiseCheckpoint(iteration, path);
    }

    readonly List<string> metricHeader = [];

    void WriteMetrics(IterationMetrics m)
    {
        if (metricHeader.Count == 0)
        {
            metricHeader.AddRange(["iteration", "images_seen", "lr"]);
            metricHeader.AddRange(m.Losses.Keys.OrderBy(k => k, StringComparer.Ordinal));
            metricHeader.AddRange(["total_loss", "grad_norm", "seconds"]);
        }
        var values = new List<string> { m.Iteration.ToString(), m.ImagesSeen.ToString(), RunDirectory.F(m.LearningRate) };
        values.AddRange(m.Losses.OrderBy(k => k.Key, StringComparer.Ordinal).Select(kv => RunDirectory.F(kv.Value)));
        values.AddRange([RunDirectory.F(m.TotalLoss), RunDirectory.F(m.GradNorm), m.Seconds.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)]);
        RunDirectory.AppendCsv(run.MetricsFile, metricHeader, values);
    }

    void Message(string text)
    {
        run.Log(text);
        Events.RaiseMessage(text);
    }
}
