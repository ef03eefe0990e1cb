using Rethink.Runtime;
using Rethink.Training;

namespace Rethink.Experiments;

/// <summary>
/// What a notebook or script works with: the scale (smoke | tiny | small), the device, the study plan of that scale and
/// the folder its runs live in (runs/reproduce-SCALE, the same as `rethink reproduce`, so finished runs are shared and
/// reused). The environment variable RETHINK_NOTEBOOK_SCALE overrides the scale a notebook asks for (the headless
/// runner's --scale sets it) and RETHINK_RUNS the folder that holds runs/ (tests use a temporary one).
/// </summary>
public sealed record NotebookSession(string Scale, string Device, string RepoRoot, string RunsFolder, StudyPlan Plan)
{
    public const string ScaleVariable = "RETHINK_NOTEBOOK_SCALE";
    public const string RunsVariable = "RETHINK_RUNS";

    /// <summary>The folder of this scale's runs, results.csv and report.html.</summary>
    public string Root => Path.Combine(RunsFolder, $"reproduce-{Scale}");

    /// <summary>
    /// Starts a session. <paramref name="scale"/>: "smoke" (seconds, for tests), "tiny" (a 2-core CPU, the default),
    /// "small" (R50-FPN, one GPU) or "auto" (small where CUDA is available, else tiny). <paramref name="device"/>: cpu,
    /// cuda or auto.
    /// </summary>
    public static NotebookSession Start(string scale = "tiny", string device = "auto")
    {
        NativeProbing.ResolveFor(typeof(SkiaSharp.SKImageInfo).Assembly); // the pictures, in hosts without our deps.json
        string? forced = Environment.GetEnvironmentVariable(ScaleVariable);
        if (!string.IsNullOrWhiteSpace(forced)) scale = forced.Trim();
        string dev = device == "auto" ? (DeviceSelector.CudaAvailable() ? "cuda" : "cpu") : device;
        if (scale == "auto") scale = dev.StartsWith("cuda", StringComparison.Ordinal) ? "small" : "tiny";
        var plan = StudyPlan.ForScale(scale, dev);
        string repo = FindRepoRoot(Directory.GetCurrentDirectory());
        string runs = Environment.GetEnvironmentVariable(RunsVariable) is { Length: > 0 } r ? Path.GetFullPath(r) : Path.Combine(repo, "runs");
        return new NotebookSession(scale, dev, repo, runs, plan);
    }

    /// <summary>The folder above <paramref name="start"/> that holds Research.sln (else <paramref name="start"/>).</summary>
    public static string FindRepoRoot(string start)
    {
        for (var d = new DirectoryInfo(Path.GetFullPath(start)); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Research.sln"))) return d.FullName;
        return Path.GetFullPath(start);
    }

    /// <summary>
    /// The headline study (Figure 1, Tables 1 and 2): runs what is missing, reuses what is finished. Missing runs train
    /// one after another in this process unless <paramref name="workers"/> says how to start worker processes (the
    /// fastest way to fill it is `./rethink reproduce` in a terminal, which trains runs side by side; the notebook then
    /// reads them back).
    /// </summary>
    public StudyOutcome Headline(Func<string, TrainingEvents>? eventsFor = null, CancellationToken cancel = default,
        Scheduling.WorkerOptions? workers = null) =>
        ReproduceStudy.Run(Plan, Root, eventsFor, cancel, workers);

    /// <summary>The GN pre-training of this scale (run or reused); returns the detection init "pretrained:DIR".</summary>
    public string PretrainedGn(TrainingEvents? events = null) => Pretrained(Plan.PretrainGn, events);

    /// <summary>Any pre-training under this session's root (run or reused); returns the init "pretrained:DIR".</summary>
    public string Pretrained(PretrainConfig config, TrainingEvents? events = null)
    {
        string dir = Plan.PretrainDirectory(Root, config);
        PretrainExperiment.Run(config, dir, events);
        return "pretrained:" + dir;
    }

    /// <summary>A run folder under this session's root for a config (named like the study's runs: reused when finished).</summary>
    public string RunDirectory(DetectionConfig config) => config.RunDirectory(Root);

    /// <summary>Trains (or reuses) one detection run of this session's base config with changes, and loads its result.</summary>
    public RunResult Train(DetectionConfig config, TrainingEvents? events = null, CancellationToken cancel = default)
    {
        string dir = RunDirectory(config);
        DetectionExperiment.Run(config, dir, events, cancel);
        return RunResult.Load(dir);
    }
}
