using System.Text.Json;
using Rethink.Data;
using Rethink.Data.Coco;
using Rethink.DataPrep.ImageNet;
using Rethink.DataPrep.Shapes;
using Rethink.Modeling.Backbones;
using Rethink.Evaluation;
using Rethink.Modeling;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using Rethink.Training;
using TorchSharp;

namespace Rethink.Experiments;

/// <summary>Builds and runs a <see cref="DetectionConfig"/>: data, model, initialisation, trainer, COCO evaluation.</summary>
public static class DetectionExperiment
{
    /// <summary>The training and validation sources a config names.</summary>
    public static (IDetectionSource train, IDetectionSource validation) Sources(DetectionConfig c)
    {
        if (c.Dataset == "shapes")
        {
            var defaults = new ShapesConfig();
            var shapes = new ShapesConfig
            {
                Size = c.ImageSize, MeanInstances = c.MeanInstances,
                SmallShare = c.SmallShare ?? defaults.SmallShare, LargeShare = c.LargeShare ?? defaults.LargeShare,
            };
            return (new ShapesSource(c.TrainImages, c.DataSeed, shapes), new ShapesSource(c.ValidationImages, c.DataSeed, shapes, offset: c.TrainImages));
        }
        if (c.Dataset.StartsWith("coco:", StringComparison.Ordinal))
        {
            var train = OpenCoco(c.Dataset, skipImagesWithoutObjects: true, c.SkipBadRecords);
            string val = c.ValidationDataset ?? throw new ArgumentException("a COCO dataset needs a validation set (--val-data coco:...)");
            return (train, OpenCoco(val, skipImagesWithoutObjects: false, c.SkipBadRecords));
        }
        throw new ArgumentException($"unknown dataset '{c.Dataset}': use shapes or coco:DIR");
    }

    /// <summary>
    /// "coco:DIR" (DIR/annotations.json with images in DIR/images) or "coco:ANNOTATIONS.json@IMAGE_DIR" (COCO 2017:
    /// coco:annotations/instances_train2017.json@train2017). With <paramref name="skipBad"/>, bad records and images
    /// are left out and reported in the log instead of stopping the run.
    /// </summary>
    public static CocoDetectionSource OpenCoco(string spec, bool skipImagesWithoutObjects, bool skipBad = false)
    {
        if (!spec.StartsWith("coco:", StringComparison.Ordinal)) throw new ArgumentException($"dataset '{spec}': use coco:DIR or coco:ANNOTATIONS.json@IMAGE_DIR");
        string body = spec[5..];
        int at = body.LastIndexOf('@');
        string annotations = at >= 0 ? body[..at] : body;
        string? images = at >= 0 ? body[(at + 1)..] : null;
        var source = CocoDetectionSource.Open(annotations, images, skipImagesWithoutObjects, skipBad ? CocoLoadOptions.Lenient : null);
        if (skipBad)
        {
            var report = source.Dataset.LoadReport;
            var problems = source.CheckImages();
            int dropped = source.DropBadImages(problems);
            if (report.Problems.Count + problems.Count > 0)
                Console.Error.WriteLine($"{annotations}: skipped {report.Problems.Count} bad records and {dropped} bad images; first: " +
                                        string.Join("; ", report.Problems.Select(p => p.ToString()).Concat(problems).Take(5)));
        }
        return source;
    }

    public static MaskRcnnConfig ModelConfig(DetectionConfig c, int numClasses)
    {
        var model = ModelZoo.Config(c.Arch, NormKinds.Parse(c.Norm), numClasses);
        if (c.HeadNorm is not null) model = model with { HeadNorm = NormKinds.Parse(c.HeadNorm) };
        if (c.FreezeAt is int f) model = model with { FreezeAt = f };
        if (c.Backbone is not null) model = model with { Backbone = c.Backbone, Blocks = null, FreezeAt = c.FreezeAt ?? 0 };
        if (c.Width is double w) model = model with { Width = w };
        if (c.GnGroups is int g) model = model with { GnGroups = g };
        if (c.Init == ImageNetR18.Name)
        {
            if (model.Backbone != ResNetSpec.ResNet18Cntk.Name)
                throw new ArgumentException($"--init {ImageNetR18.Name} needs --arch maskrcnn-r18-cntk-fpn (the imported network has blocks [2,2,2,3]), not {c.Arch}");
            // The imported network's own preprocessing: 0..255 minus its mean colour.
            using var input = ImageNetR18Input.Load(ImageNetR18.MeanImageFile(EnsureImageNetR18()));
            model = model with { PixelMean = input.PixelMean, PixelStd = input.PixelStd };
        }
        return model;
    }

    /// <summary>Where the imported ImageNet ResNet-18 lives (data/weights), importing it first when it is not there.</summary>
    public static string EnsureImageNetR18()
    {
        string dir = Path.Combine("data", "weights");
        if (!File.Exists(ImageNetR18.CheckpointFile(dir)) || !File.Exists(ImageNetR18.MeanImageFile(dir))) ImageNetR18.Import(dir);
        return dir;
    }

    public static TransformConfig Transform(DetectionConfig c) => new()
    {
        MinShortSide = c.MinShortSide, MaxShortSide = c.MaxShortSide, MaxSize = c.MaxSize, FlipProbability = c.FlipProbability,
    };

    /// <summary>Runs (or resumes, or reuses when finished) the detection run in <paramref name="directory"/>.</summary>
    public static TrainingOutcome Run(DetectionConfig config, string directory, TrainingEvents? events = null, CancellationToken cancel = default)
    {
        var (device, run) = RunSetup.Prepare(directory, config, config.Threads, config.Seed, config.Device);
        var (train, validation) = Sources(config);
        var modelConfig = ModelConfig(config, train.CategoryNames.Count + 1);
        using var model = new MaskRcnn(modelConfig) { ComputePrecision = MixedPrecision.Parse(config.Precision) };
        Initialize(model, config.Init, run);
        model.to(device);
        var loader = new DetectionLoader(train, new LoaderConfig
        {
            BatchSize = config.BatchSize, Seed = config.Seed, Transform = Transform(config), WithMasks = modelConfig.Masks,
        });
        var groundTruth = new Lazy<CocoDataset>(() => validation is CocoDetectionSource coco ? coco.Dataset : CocoExport.FromSource(validation));
        var categoryIds = validation is CocoDetectionSource cs ? cs.CategoryIds : Enumerable.Range(1, validation.CategoryNames.Count).Select(i => (long)i).ToList();
        IReadOnlyDictionary<string, double> Evaluate(MaskRcnn m, string dir, long iteration)
        {
            var results = DetectorEvaluation.Predict(m, validation, categoryIds, Transform(config), device, config.BatchSize);
            var scores = DetectorEvaluation.Score(groundTruth.Value, results, modelConfig.Masks, modelConfig.Keypoints);
            if (iteration == config.TotalIterations) CocoResultsFile.Save(results, Path.Combine(dir, "detections.json"));
            return scores;
        }
        using var task = new DetectionTask(model, loader, device, Evaluate);
        var engine = new EngineConfig
        {
            Schedule = new LearningRateSchedule(config.BaseIterations, config.ScheduleMultiplier, config.LearningRate, config.WarmupIterations),
            Optimizer = new OptimizerConfig { WeightDecay = config.WeightDecay, NoDecayOnNormAndBias = config.NoDecayOnNormAndBias, ClipGradNorm = config.ClipGradNorm },
            CheckpointPeriod = config.CheckpointPeriod,
            EvaluationPeriod = config.EvaluationPeriod,
            KeepCheckpointsAt = config.KeepCheckpointsAt ?? [],
            AcceptedStartHashes = Scheduling.Fork.AcceptedHashes(directory),
        };
        return new Trainer(task, engine, run, config.Hash(), events).Run(cancel);
    }

    /// <summary>
    /// Evaluates a run folder's newest checkpoint on its validation set (COCOeval), e.g. for a run stopped early or
    /// to re-score a finished one; also writes DIR/detections.json.
    /// </summary>
    public static IReadOnlyDictionary<string, double> EvaluateRun(string directory, string? device = null)
    {
        var run = new RunDirectory(directory);
        if (!File.Exists(run.ConfigFile)) throw new FileNotFoundException($"{directory} is not a run folder (no config.json)", run.ConfigFile);
        var config = JsonSerializer.Deserialize<DetectionConfig>(File.ReadAllText(run.ConfigFile)) ?? throw new InvalidDataException(run.ConfigFile);
        string ckpt = run.LatestCheckpoint() ?? throw new InvalidOperationException($"{directory} has no checkpoint yet");
        TorchRuntime.SetThreads(config.Threads);
        var dev = DeviceSelector.Resolve(device ?? config.Device);
        var (train, validation) = Sources(config);
        var modelConfig = ModelConfig(config, train.CategoryNames.Count + 1);
        using var model = new MaskRcnn(modelConfig) { ComputePrecision = MixedPrecision.Parse(config.Precision) };
        Checkpoint.Load(ckpt, model, restoreRng: false);
        model.to(dev);
        var groundTruth = validation is CocoDetectionSource coco ? coco.Dataset : CocoExport.FromSource(validation);
        var categoryIds = validation is CocoDetectionSource cs ? cs.CategoryIds : Enumerable.Range(1, validation.CategoryNames.Count).Select(i => (long)i).ToList();
        var results = DetectorEvaluation.Predict(model, validation, categoryIds, Transform(config), dev, config.BatchSize);
        CocoResultsFile.Save(results, Path.Combine(run.Path, "detections.json"));
        return DetectorEvaluation.Score(groundTruth, results, modelConfig.Masks, modelConfig.Keypoints);
    }

    /// <summary>Applies "scratch", "pretrained:RUN_DIR" or "imagenet-r18" to a freshly built detector.</summary>
    public static void Initialize(MaskRcnn model, string init, RunDirectory run)
    {
        if (init == "scratch") return;
        if (init.StartsWith("pretrained:", StringComparison.Ordinal))
        {
            string dir = init["pretrained:".Length..];
            var pre = new RunDirectory(dir);
            if (!pre.IsFinished) throw new InvalidOperationException($"--init {init}: {dir} is not a finished pre-training run (no done.json)");
            var pc = JsonSerializer.Deserialize<PretrainConfig>(File.ReadAllText(pre.ConfigFile))
                     ?? throw new InvalidDataException($"{pre.ConfigFile}: empty");
            using var classifier = new ImageClassifier(PretrainConfig.BuildBackbone(pc.Backbone, NormKinds.Parse(pc.Norm)), pc.NumClasses);
            string ckpt = pre.LatestCheckpoint() ?? throw new InvalidOperationException($"{dir} has no checkpoint");
            Checkpoint.Load(ckpt, classifier, restoreRng: false);
            int copied = ImageClassifier.Transfer(classifier, model);
            run.Log($"initialised the backbone from {ckpt} ({copied} tensors)");
            return;
        }
        if (init == ImageNetR18.Name)
        {
            string ckpt = ImageNetR18.CheckpointFile(EnsureImageNetR18());
            int copied = PretrainedBackbone.Load(ckpt, (ResNet)model.BackboneWithFpn.Body);
            run.Log($"initialised the backbone from the imported ImageNet ResNet-18 {ckpt} ({copied} tensors)");
            return;
        }
        throw new ArgumentException($"unknown init '{init}': use scratch, pretrained:RUN_DIR or {ImageNetR18.Name}");
    }
}
