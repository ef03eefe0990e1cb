using System.Text.Json;
using Rethink.Training;

namespace Rethink.Experiments.Scheduling;

/// <summary>
/// A shorter schedule started from a longer one's checkpoint. Under the paper's rule two schedules of the same run
/// differ only after the shorter one's first learning-rate drop: same warm-up, same rate, same seed and data order
/// until then. So the 1x and 2x runs can start from the 4x run's checkpoint at their first drop and give the numbers
/// they would give trained alone (a test checks it), for a third of the work. The fork's folder records where it came
/// from (fork.json) and its log says so.
/// </summary>
public sealed record Fork(string TrunkDirectory, long Iteration)
{
    public const string FileName = "fork.json";

    sealed record ForkInfo(string Trunk, long Iteration, string TrunkHash);

    /// <summary>The trunk's config hash a fork in <paramref name="directory"/> may start from (none when it is not a fork).</summary>
    public static IReadOnlyCollection<string> AcceptedHashes(string directory)
    {
        string file = Path.Combine(directory, FileName);
        if (!File.Exists(file)) return [];
        var info = JsonSerializer.Deserialize<ForkInfo>(File.ReadAllText(file));
        return info is null ? [] : [info.TrunkHash];
    }

    /// <summary>
    /// Seeds <paramref name="directory"/> with the trunk's checkpoint at <see cref="Iteration"/> and its metrics up to
    /// there, unless the run has started or finished already (then null). Returns what it did, or why not: then the
    /// run trains from its first iteration, which gives the same numbers more slowly.
    /// </summary>
    public string? Seed(string directory)
    {
        var run = new RunDirectory(directory);
        if (run.IsFinished || run.LatestCheckpoint() is not null) return null;
        var trunk = new RunDirectory(TrunkDirectory);
        string source = trunk.CheckpointPath(Iteration);
        if (!File.Exists(source)) return $"no checkpoint at iteration {Iteration} in {TrunkDirectory}: training from the start";
        var trunkConfig = JsonSerializer.Deserialize<DetectionConfig>(File.ReadAllText(trunk.ConfigFile))
                          ?? throw new InvalidDataException($"{trunk.ConfigFile}: empty");
        Directory.CreateDirectory(run.CheckpointDir);
        if (File.Exists(trunk.MetricsFile))
        {
            File.Copy(trunk.MetricsFile, run.MetricsFile, overwrite: true);
            RunDirectory.TruncateCsv(run.MetricsFile, Iteration);
        }
        run.WriteJson(FileName, new ForkInfo(trunk.Path, Iteration, trunkConfig.Hash()));
        // The checkpoint last: a fork without it is just a run that has not started.
        string target = run.CheckpointPath(Iteration), temp = target + ".tmp";
        File.Copy(source, temp, overwrite: true);
        File.Move(temp, target, overwrite: true);
        run.Log($"forked from {trunk.Path} at iteration {Iteration}");
        return $"forked from {Path.GetFileName(trunk.Path)} at iteration {Iteration}";
    }
}
