using System.Globalization;
using Rethink.Training;

namespace Rethink.Experiments.Sweeps;

/// <summary>
/// One run of a sweep: its factors (e.g. norm = "gn", batch = "2") and the detection config they give. The run folder
/// is named like the headline study's (short name and config hash), so a config that two studies share runs once.
/// </summary>
public sealed record SweepRun(IReadOnlyDictionary<string, string> Factors, DetectionConfig Config)
{
    public string Label => string.Join(", ", Factors.Select(kv => $"{kv.Key} {kv.Value}"));
    public string Factor(string name) => Factors.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"sweep run '{Label}' has no factor '{name}'");
    public double Number(string name) => double.Parse(Factor(name), CultureInfo.InvariantCulture);
    public string Directory(string root) => Config.RunDirectory(root);
}

/// <summary>A finished sweep: each finished run with its result, and the runs that diverged (with the reason).</summary>
public sealed record SweepOutcome(string Name, string Root, IReadOnlyList<(SweepRun Run, RunResult Result)> Runs, TimeSpan Elapsed)
{
    /// <summary>Runs whose loss became NaN or infinite (no result; e.g. BN at batch 1, or no normalization at a high rate).</summary>
    public IReadOnlyList<(SweepRun Run, string Reason)> Diverged { get; init; } = [];

    /// <summary>The runs whose factor <paramref name="name"/> is <paramref name="value"/>.</summary>
    public IEnumerable<(SweepRun Run, RunResult Result)> Where(string name, string value) => Runs.Where(r => r.Run.Factors.GetValueOrDefault(name) == value);

    /// <summary>The distinct values of a factor, in the order the sweep lists them.</summary>
    public IReadOnlyList<string> Values(string name) => Runs.Select(r => r.Run.Factors.GetValueOrDefault(name)).OfType<string>().Distinct().ToList();
}

/// <summary>Runs a list of detection configs under one root, reusing finished runs and resuming killed ones.</summary>
public static class Sweep
{
    public static SweepOutcome Run(string name, IReadOnlyList<SweepRun> runs, string root, Func<string, TrainingEvents>? eventsFor = null,
        CancellationToken cancel = default)
    {
        var dup = runs.GroupBy(r => r.Label).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"sweep '{name}' lists '{dup.Key}' twice");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<(SweepRun, RunResult)>();
        var diverged = new List<(SweepRun, string)>();
        foreach (var run in runs)
        {
            cancel.ThrowIfCancellationRequested();
            string dir = run.Directory(root);
            try
            {
                DetectionExperiment.Run(run.Config, dir, eventsFor?.Invoke($"{name}: {run.Label}"), cancel);
            }
            catch (TrainingDivergedException e)
            {
                // A diverging recipe is a result of the sweep, not the end of it.
                diverged.Add((run, e.Message));
                continue;
            }
            results.Add((run, RunResult.Load(dir)));
        }
        return new SweepOutcome(name, Path.GetFullPath(root), results, sw.Elapsed) { Diverged = diverged };
    }

    /// <summary>One sentence per diverged run.</summary>
    public static IEnumerable<string> DivergedLines(SweepOutcome o) =>
        o.Diverged.Select(d => $"{d.Run.Label}: diverged ({d.Reason.Split('\n')[0]}).");

    public static Dictionary<string, string> Factors(params (string Name, object Value)[] factors) =>
        factors.ToDictionary(f => f.Name, f => Convert.ToString(f.Value, CultureInfo.InvariantCulture)!);
}
