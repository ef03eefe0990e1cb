using System.Text.Json;
using Rethink.Training;

namespace Rethink.Experiments.Scheduling;

/// <summary>
/// One unit of a study: a pre-training or a detection run in its folder, with the folders that must be finished
/// before it starts. It runs here (in this process) or in a worker process (<see cref="StudyWorker"/>).
/// </summary>
public abstract record StudyJob(string Title, string Directory, IReadOnlyList<string> WaitsFor)
{
    /// <summary>"pretrain" or "detection": what a worker process is told to run.</summary>
    public abstract string Kind { get; }

    /// <summary>Iterations this job trains (a fork: only those after its fork point), to start the longest chains first.</summary>
    public abstract long Iterations { get; }

    /// <summary>The config as one line of JSON (a worker reads it from its standard input).</summary>
    public abstract string ConfigJson();

    /// <summary>Done in this process before the job starts, wherever it runs; returns a line for the job's events, or null.</summary>
    public virtual string? Prepare() => null;

    /// <summary>Whether the job needs <paramref name="dependency"/> to have finished (else it only waits for it to end).</summary>
    public virtual bool NeedsFinished(string dependency) => true;

    /// <summary>Runs (or resumes, or reuses) the job in this process.</summary>
    public abstract TrainingOutcome RunHere(TrainingEvents? events, CancellationToken cancel);

    /// <summary>The job a worker process runs: this kind, with the config of <paramref name="configJson"/> and the given threads.</summary>
    public static StudyJob FromWorkerInput(string kind, string directory, string configJson, int? threads) => kind switch
    {
        "pretrain" => new PretrainJob((JsonSerializer.Deserialize<PretrainConfig>(configJson) ?? throw new InvalidDataException("empty pre-training config")) with { Threads = threads }, kind, directory),
        "detection" => new DetectionJob((JsonSerializer.Deserialize<DetectionConfig>(configJson) ?? throw new InvalidDataException("empty detection config")) with { Threads = threads }, kind, directory, []),
        _ => throw new ArgumentException($"unknown job kind '{kind}': use pretrain or detection"),
    };
}

public sealed record PretrainJob(PretrainConfig Config, string Title, string Directory) : StudyJob(Title, Directory, [])
{
    public override string Kind => "pretrain";
    public override long Iterations => Config.Iterations;
    public override string ConfigJson() => JsonSerializer.Serialize(Config);
    public override TrainingOutcome RunHere(TrainingEvents? events, CancellationToken cancel) => PretrainExperiment.Run(Config, Directory, events, cancel);
}

public sealed record DetectionJob(DetectionConfig Config, string Title, string Directory, IReadOnlyList<string> WaitsFor) : StudyJob(Title, Directory, WaitsFor)
{
    /// <summary>Start from a longer schedule's checkpoint (the job also waits for that run).</summary>
    public Fork? From { get; init; }

    public override string? Prepare() => From?.Seed(Directory);

    // A trunk that diverged after the fork point still left the checkpoint the fork needs.
    public override bool NeedsFinished(string dependency) => From is null || dependency != From.TrunkDirectory;

    public override string Kind => "detection";
    public override long Iterations => Config.TotalIterations - (From?.Iteration ?? 0);
    public override string ConfigJson() => JsonSerializer.Serialize(Config);
    public override TrainingOutcome RunHere(TrainingEvents? events, CancellationToken cancel) => DetectionExperiment.Run(Config, Directory, events, cancel);
}
