using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rethink.Experiments;

/// <summary>
/// One detection run: model, normalization, initialisation, data, schedule. Immutable; variants with <c>with</c>.
/// Its run folder's config.json is this record, and a finished run with the same record is reused.
/// </summary>
public sealed record DetectionConfig
{
    public string Arch { get; init; } = "maskrcnn-tiny-fpn";
    /// <summary>gn, syncbn, bn, frozenbn or none.</summary>
    public string Norm { get; init; } = "gn";
    /// <summary>"scratch" (MSRA init), "pretrained:RUN_DIR" (a finished `rethink pretrain` run), or "imagenet-r18".</summary>
    public string Init { get; init; } = "scratch";
    /// <summary>Norm of FPN and heads when it should differ from the paper's pairing (null: the pairing).</summary>
    public string? HeadNorm { get; init; }
    /// <summary>null: the architecture's (0 for GN/SyncBN/BN, 2 for FrozenBN).</summary>
    public int? FreezeAt { get; init; }
    /// <summary>Backbone in place of the architecture's, keeping its FPN and heads ("vgg16" for the VGG-style runs); null: the architecture's.</summary>
    public string? Backbone { get; init; }
    /// <summary>Backbone width multiplier (null: the architecture's, 0.25 for the tiny models).</summary>
    public double? Width { get; init; }
    /// <summary>GroupNorm groups (null: the architecture's, 32).</summary>
    public int? GnGroups { get; init; }

    /// <summary>"shapes" (procedural, rendered in memory) or "coco:DIR" for a COCO folder (DIR/annotations.json + images).</summary>
    public string Dataset { get; init; } = "shapes";
    /// <summary>For COCO folders: the validation folder ("coco:DIR"); for shapes, scenes after the training ones.</summary>
    public string? ValidationDataset { get; init; }
    /// <summary>Leave out bad annotation records and unreadable images (reporting them) instead of stopping.</summary>
    public bool SkipBadRecords { get; init; }
    public int TrainImages { get; init; } = 4000;
    public int ValidationImages { get; init; } = 200;
    public int DataSeed { get; init; } = 1;
    public int ImageSize { get; init; } = 128;
    public double MeanInstances { get; init; } = 7.0;
    /// <summary>Shapes only: share of small (&lt; 32 px) instances before occlusion (null: the generator's, 0.4 as in COCO).</summary>
    public double? SmallShare { get; init; }
    /// <summary>Shapes only: share of large (&gt; 96 px) instances (null: the generator's, 0.15).</summary>
    public double? LargeShare { get; init; }

    public int MinShortSide { get; init; } = 128;
    public int MaxShortSide { get; init; } = 128;
    public int MaxSize { get; init; } = 128;
    public double FlipProbability { get; init; } = 0.5;

    public int BatchSize { get; init; } = 4;
    /// <summary>At this batch size; the linear scaling rule is the caller's choice (see LearningRateSchedule.Scaled).</summary>
    public double LearningRate { get; init; } = 0.02;
    public int BaseIterations { get; init; } = 300;
    public double ScheduleMultiplier { get; init; } = 1.0;
    public int WarmupIterations { get; init; } = 30;
    public double WeightDecay { get; init; } = 1e-4;
    public bool NoDecayOnNormAndBias { get; init; } = true;
    public double? ClipGradNorm { get; init; }
    /// <summary>
    /// "bf16" or "fp16": convolutions and linear layers compute in 16 bits (mixed precision, see
    /// Modeling.Layers.MixedPrecision); null or "fp32": everything in fp32. Part of the hash when set.
    /// </summary>
    public string? Precision { get; init; }

    /// <summary>Evaluate every this many iterations (0: only at the end).</summary>
    public int EvaluationPeriod { get; init; }
    public int CheckpointPeriod { get; init; } = 100;
    /// <summary>Checkpoints kept for shorter schedules to fork from (null: none; not part of the hash).</summary>
    public IReadOnlyList<long>? KeepCheckpointsAt { get; init; }
    public int Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }

    static readonly JsonSerializerOptions HashOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public int TotalIterations => (int)Math.Round(BaseIterations * ScheduleMultiplier);

    /// <summary>A short hash of what decides the results (device, threads and checkpoint cadence excluded).</summary>
    public string Hash()
    {
        // Null (unset optional) fields are left out, so adding an optional field later keeps existing runs' hashes.
        // The architecture the name resolves to is part of it: a changed preset must not reuse old runs.
        var json = JsonSerializer.Serialize(this with { Device = "", Threads = null, CheckpointPeriod = 0, SkipBadRecords = false, KeepCheckpointsAt = null, Init = InitIdentity(Init) }, HashOptions)
                   + JsonSerializer.Serialize(Modeling.ModelZoo.Config(Arch, Modeling.Layers.NormKinds.Parse(Norm), 2), HashOptions);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    /// <summary>
    /// What an init means for the hash. A study's pre-training folder is named by its own config hash
    /// ("pretrain-gn-BFDD9873"): that name, not where the study lives, says what it is, so the same run is found from
    /// `rethink reproduce` (relative paths) and from a notebook (absolute ones). Other inits count as written.
    /// </summary>
    static string InitIdentity(string init)
    {
        const string prefix = "pretrained:";
        if (!init.StartsWith(prefix, StringComparison.Ordinal)) return init;
        string leaf = Path.GetFileName(init[prefix.Length..].TrimEnd('/', '\\'));
        return System.Text.RegularExpressions.Regex.IsMatch(leaf, "^pretrain-[a-z]+-[0-9A-F]{8}$") ? prefix + leaf : init;
    }

    /// <summary>
    /// A copy with some fields changed: C#'s <c>with</c> for languages without it (F#: <c>c.With(norm = "gn", learningRate = 0.01)</c>).
    /// </summary>
    public DetectionConfig With(string? arch = null, string? norm = null, string? init = null, string? backbone = null, double? width = null,
        int? gnGroups = null, int? batchSize = null, double? learningRate = null, double? scheduleMultiplier = null, int? baseIterations = null,
        int? warmupIterations = null, int? trainImages = null, int? validationImages = null, double? meanInstances = null, int? evaluationPeriod = null,
        int? seed = null, string? device = null) => this with
    {
        Arch = arch ?? Arch, Norm = norm ?? Norm, Init = init ?? Init, Backbone = backbone ?? Backbone, Width = width ?? Width,
        GnGroups = gnGroups ?? GnGroups, BatchSize = batchSize ?? BatchSize, LearningRate = learningRate ?? LearningRate,
        ScheduleMultiplier = scheduleMultiplier ?? ScheduleMultiplier, BaseIterations = baseIterations ?? BaseIterations,
        WarmupIterations = warmupIterations ?? WarmupIterations, TrainImages = trainImages ?? TrainImages,
        ValidationImages = validationImages ?? ValidationImages, MeanInstances = meanInstances ?? MeanInstances,
        EvaluationPeriod = evaluationPeriod ?? EvaluationPeriod, Seed = seed ?? Seed, Device = device ?? Device,
    };

    /// <summary>
    /// The run's folder under a study root: ROOT/runs/NAME-HASH. The study, the sweeps and the notebooks all name runs
    /// this way, so each finds (and reuses) the others' finished runs.
    /// </summary>
    public string RunDirectory(string root) => Path.Combine(root, "runs", $"{ShortName}-{Hash()[..8]}");

    /// <summary>A readable run name, e.g. "gn-scratch-2x".</summary>
    public string ShortName =>
        $"{Norm}-{(Init.StartsWith("pretrained", StringComparison.Ordinal) ? "pretrained" : Init)}-{ScheduleMultiplier:0.##}x";
}
