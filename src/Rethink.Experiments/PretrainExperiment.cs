using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rethink.DataPrep.Shapes;
using Rethink.Modeling;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using Rethink.Training;
using TorchSharp;

namespace Rethink.Experiments;

/// <summary>
/// Classification pre-training on the procedural 128-class set (the "ImageNet" of the shapes world): everything that
/// decides the run, as an immutable record. Its run folder's config.json is this record.
/// </summary>
public sealed record PretrainConfig
{
    /// <summary>Backbone: a ResNet name ("resnet18", "resnet50", ...) or "resnet-tiny" (one basic block per stage, width 1/4, no stem pool).</summary>
    public string Backbone { get; init; } = "resnet-tiny";
    public string Norm { get; init; } = "gn";
    public int TrainImages { get; init; } = 50_000;
    public int ValidationImages { get; init; } = 2_000;
    public int ImageSize { get; init; } = 64;
    public int BatchSize { get; init; } = 64;
    public int Iterations { get; init; } = 2_000;
    public double LearningRate { get; init; } = 0.1;
    public int WarmupIterations { get; init; } = 100;
    public double WeightDecay { get; init; } = 1e-4;
    public int CheckpointPeriod { get; init; } = 500;
    public int EvaluationPeriod { get; init; } = 0;
    public int Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }

    /// <summary>Classes of the pre-training set (16 shapes x 8 textures).</summary>
    public int NumClasses => 128;

    public string Hash()
    {
        var json = JsonSerializer.Serialize(this with { Device = "", Threads = null, CheckpointPeriod = 0 });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    /// <summary>
    /// "resnet-tiny", a ResNet name, "vgg16", or "vgg16-tiny" (VGG-16 at width 1/4, the backbone of the tiny VGG-style
    /// detectors, which use DetectionConfig.Backbone = "vgg16" with Width = 0.25).
    /// </summary>
    public static Backbone BuildBackbone(string name, NormKind norm) => name.ToLowerInvariant() switch
    {
        "resnet-tiny" => new ResNet(ResNetSpec.ResNet18 with { Name = "resnet-tiny", Blocks = [1, 1, 1, 1], WidthMultiplier = 0.25, StemPool = false }, norm),
        "vgg16" => new Vgg(1.0, norm),
        "vgg16-tiny" => new Vgg(0.25, norm),
        _ => new ResNet(ResNetSpec.Parse(name), norm),
    };
}

public static class PretrainExperiment
{
    /// <summary>Runs (or resumes, or reuses when finished) the pre-training in <paramref name="directory"/>.</summary>
    public static TrainingOutcome Run(PretrainConfig config, string directory, TrainingEvents? events = null, CancellationToken cancel = default)
    {
        var (device, run) = RunSetup.Prepare(directory, config, config.Threads, config.Seed, config.Device);
        var train = new ShapeClassification(config.TrainImages, config.Seed * 2 + 1, config.ImageSize);
        var validation = config.ValidationImages > 0 ? new ShapeClassification(config.ValidationImages, config.Seed * 2 + 2 + 1_000_000, config.ImageSize) : null;
        using var model = new ImageClassifier(PretrainConfig.BuildBackbone(config.Backbone, NormKinds.Parse(config.Norm)), train.NumClasses);
        model.to(device);
        using var task = new ClassificationTask(model, train, validation, config.BatchSize, config.Seed, device);
        var engine = new EngineConfig
        {
            // The paper's rule with a base of 60% of the run: the rate drops at 60% and about 87% of it.
            Schedule = new LearningRateSchedule(Math.Max(1, (int)Math.Round(config.Iterations * 0.6)),
                config.Iterations / Math.Max(1.0, Math.Round(config.Iterations * 0.6)), config.LearningRate, config.WarmupIterations),
            Optimizer = new OptimizerConfig { WeightDecay = config.WeightDecay },
            CheckpointPeriod = config.CheckpointPeriod,
            EvaluationPeriod = config.EvaluationPeriod,
        };
        return new Trainer(task, engine, run, config.Hash(), events).Run(cancel);
    }
}
