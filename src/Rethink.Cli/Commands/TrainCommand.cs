using System.CommandLine;
using Rethink.Experiments;

namespace Rethink.Cli.Commands;

/// <summary>`rethink train`: one detection run, for users who tweak one thing.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var d = new DetectionConfig();
        var outDir = new Option<string>("--out") { Description = "Run folder (resumed if it holds a checkpoint, reused if finished).", Required = true };
        var arch = new Option<string>("--arch") { DefaultValueFactory = _ => d.Arch, Description = "See `rethink model list`." };
        var norm = new Option<string>("--norm") { DefaultValueFactory = _ => d.Norm, Description = "gn, syncbn, bn, frozenbn or none." };
        var init = new Option<string>("--init") { DefaultValueFactory = _ => d.Init, Description = "scratch, pretrained:RUN_DIR or imagenet-r18." };
        var data = new Option<string>("--data") { DefaultValueFactory = _ => d.Dataset, Description = "shapes, coco:DIR (annotations.json + images/) or coco:ANNOTATIONS.json@IMAGE_DIR." };
        var val = new Option<string?>("--val-data") { Description = "The validation set for a COCO --data, in the same form." };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Leave out bad records and unreadable images (and say which) instead of stopping." };
        var trainImages = new Option<int>("--train-images") { DefaultValueFactory = _ => d.TrainImages, Description = "Shapes only." };
        var valImages = new Option<int>("--val-images") { DefaultValueFactory = _ => d.ValidationImages, Description = "Shapes only." };
        var mean = new Option<double>("--mean-instances") { DefaultValueFactory = _ => d.MeanInstances, Description = "Shapes only: instances per image (COCO about 7, VOC 2.3)." };
        var small = new Option<double?>("--small-share") { Description = "Shapes only: share of small (< 32 px) instances (default 0.4)." };
        var large = new Option<double?>("--large-share") { Description = "Shapes only: share of large (> 96 px) instances (default 0.15)." };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => d.ImageSize, Description = "Shapes image size; also the training short side unless --short-side is given." };
        var shortSide = new Option<int?>("--short-side") { Description = "Resize the shorter side to this (training and evaluation)." };
        var maxSize = new Option<int?>("--max-size") { Description = "Cap on the longer side." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var baseIt = new Option<int>("--base-iterations") { DefaultValueFactory = _ => d.BaseIterations, Description = "1x schedule length." };
        var schedule = new Option<double>("--schedule") { DefaultValueFactory = _ => d.ScheduleMultiplier, Description = "k in the paper's k x rule." };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => d.WarmupIterations };
        var clip = new Option<double?>("--clip-grad") { Description = "Clip the gradient norm at this value." };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => d.EvaluationPeriod, Description = "0: at the end only." };
        var ckpt = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointPeriod };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => d.Seed };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => d.Device };
        var threads = new Option<int?>("--threads");
        var precision = new Option<string?>("--precision")
        {
            Description = "fp32 (default), or bf16/fp16: convolutions and linear layers compute in 16 bits (mixed precision; weights, norms, losses and the optimizer stay fp32).",
        };
        var cmd = new Command("train", "Train one detector (Mask R-CNN) and evaluate it with COCOeval.");
        foreach (var o in new Option[] { outDir, arch, norm, init, data, val, skipBad, trainImages, valImages, mean, small, large, size, shortSide, maxSize, batch, lr, baseIt, schedule, warmup, clip, evalEvery, ckpt, seed, device, threads, precision })
            cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            int s = p.GetValue(shortSide) ?? p.GetValue(size);
            var config = d with
            {
                Arch = p.GetValue(arch)!, Norm = p.GetValue(norm)!, Init = p.GetValue(init)!, Dataset = p.GetValue(data)!, ValidationDataset = p.GetValue(val), SkipBadRecords = p.GetValue(skipBad),
                TrainImages = p.GetValue(trainImages), ValidationImages = p.GetValue(valImages), ImageSize = p.GetValue(size),
                MeanInstances = p.GetValue(mean), SmallShare = p.GetValue(small), LargeShare = p.GetValue(large),
                MinShortSide = s, MaxShortSide = s, MaxSize = p.GetValue(maxSize) ?? Math.Max(s, (int)(s * 1.67)),
                BatchSize = p.GetValue(batch), LearningRate = p.GetValue(lr), BaseIterations = p.GetValue(baseIt), ScheduleMultiplier = p.GetValue(schedule),
                WarmupIterations = p.GetValue(warmup), ClipGradNorm = p.GetValue(clip), EvaluationPeriod = p.GetValue(evalEvery),
                CheckpointPeriod = p.GetValue(ckpt), Seed = p.GetValue(seed), Device = p.GetValue(device)!, Threads = p.GetValue(threads),
                Precision = Rethink.Modeling.Layers.MixedPrecision.ConfigName(p.GetValue(precision)),
            };
            var outcome = TrainingProgress.Run("train", events => DetectionExperiment.Run(config, p.GetValue(outDir)!, events));
            Console.WriteLine(outcome.AlreadyFinished ? $"already finished: {p.GetValue(outDir)}" : $"finished {outcome.Iterations} iterations in {outcome.TrainSeconds:F0} s of training");
            if (outcome.FinalEvaluation is { } e)
                Console.WriteLine(string.Join(", ", e.Where(kv => kv.Key.EndsWith("/AP") || kv.Key.EndsWith("/AP50") || kv.Key.EndsWith("/AP75")).Select(kv => $"{kv.Key} {100 * kv.Value:F1}")));
            return 0;
        });
        return cmd;
    }
}
