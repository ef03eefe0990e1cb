using System.CommandLine;
using Rethink.Experiments;

namespace Rethink.Cli.Commands;

/// <summary>`rethink pretrain`: classification pre-training on the procedural 128-class set.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var d = new PretrainConfig();
        var outDir = new Option<string>("--out") { Description = "Run folder (resumed if it holds a checkpoint, reused if finished).", Required = true };
        var backbone = new Option<string>("--backbone") { Description = "resnet-tiny, resnet18, resnet50, ...", DefaultValueFactory = _ => d.Backbone };
        var norm = new Option<string>("--norm") { Description = "gn, syncbn, bn, frozenbn or none.", DefaultValueFactory = _ => d.Norm };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => d.Iterations };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => d.WarmupIterations };
        var images = new Option<int>("--images") { Description = "Training images (generated on the fly).", DefaultValueFactory = _ => d.TrainImages };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => d.ImageSize };
        var val = new Option<int>("--val-images") { DefaultValueFactory = _ => d.ValidationImages };
        var ckpt = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointPeriod };
        var eval = new Option<int>("--eval-every") { Description = "0: evaluate at the end only.", DefaultValueFactory = _ => d.EvaluationPeriod };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => d.Seed };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto.", DefaultValueFactory = _ => d.Device };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: one per core)." };
        var cmd = new Command("pretrain", "Pre-train a backbone on the procedural 128-class classification set.");
        foreach (var o in new Option[] { outDir, backbone, norm, iterations, batch, lr, warmup, images, size, val, ckpt, eval, seed, device, threads }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var config = new PretrainConfig
            {
                Backbone = p.GetValue(backbone)!, Norm = p.GetValue(norm)!, Iterations = p.GetValue(iterations), BatchSize = p.GetValue(batch),
                LearningRate = p.GetValue(lr), WarmupIterations = p.GetValue(warmup), TrainImages = p.GetValue(images), ImageSize = p.GetValue(size),
                ValidationImages = p.GetValue(val), CheckpointPeriod = p.GetValue(ckpt), EvaluationPeriod = p.GetValue(eval), Seed = p.GetValue(seed),
                Device = p.GetValue(device)!, Threads = p.GetValue(threads),
            };
            var outcome = TrainingProgress.Run("pretrain", events => PretrainExperiment.Run(config, p.GetValue(outDir)!, events));
            Console.WriteLine(outcome.AlreadyFinished
                ? $"already finished: {p.GetValue(outDir)} ({outcome.Iterations} iterations)"
                : $"finished {outcome.Iterations} iterations ({outcome.ImagesSeen} images) in {outcome.TrainSeconds:F0} s of training");
            if (outcome.FinalEvaluation is { } e) Console.WriteLine(string.Join(", ", e.Select(kv => $"{kv.Key} {kv.Value:P1}")));
            return 0;
        });
        return cmd;
    }
}
