using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Rethink.Modeling;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Cli.Commands;

/// <summary>`rethink bench nms|train-step`: the measurements behind docs/benchmarks.md.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks (see docs/benchmarks.md for the recorded figures).");
        command.Subcommands.Add(NmsBench());
        command.Subcommands.Add(TrainStepBench());
        command.Subcommands.Add(MatmulBench());
        command.Subcommands.Add(Bench.CocoEvalBench.Create());
        command.Subcommands.Add(LoaderBench());
        return command;
    }

    static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    static Command NmsBench()
    {
        var boxes = new Option<int>("--boxes") { DefaultValueFactory = _ => 5000, Description = "Number of boxes." };
        var repeat = new Option<int>("--repeat") { DefaultValueFactory = _ => 7, Description = "Timed repetitions (median reported)." };
        var threshold = new Option<double>("--iou") { DefaultValueFactory = _ => 0.5, Description = "IoU threshold." };
        var cmd = new Command("nms", "Our NMS against TorchVision for .NET's ops.nms on random proposal-like boxes; checks the kept sets agree.");
        cmd.Options.Add(boxes); cmd.Options.Add(repeat); cmd.Options.Add(threshold);
        cmd.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            int n = parse.GetValue(boxes), reps = parse.GetValue(repeat);
            double thr = parse.GetValue(threshold);
            manual_seed(0);
            using var scope = NewDisposeScope();
            var xy = rand(n, 2) * 800;
            var wh = rand(n, 2) * 190 + 10;
            var b = cat([xy, xy + wh], 1);
            var s = rand(n);
            var ours = new List<double>();
            var theirs = new List<double>();
            Tensor? keepOurs = null, keepTheirs = null;
            for (int r = 0; r < reps + 1; r++)
            {
                var sw = Stopwatch.StartNew();
                keepOurs = Nms.Apply(b, s, thr);
                if (r > 0) ours.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                keepTheirs = torchvision.ops.nms(b, s, thr);
                if (r > 0) theirs.Add(sw.Elapsed.TotalMilliseconds);
            }
            var a = keepOurs!.data<long>().ToArray().OrderBy(v => v).ToArray();
            var t = keepTheirs!.data<long>().ToArray().OrderBy(v => v).ToArray();
            bool same = a.SequenceEqual(t);
            double mo = Median(ours), mt = Median(theirs);
            Console.WriteLine($"boxes {n}, IoU {thr}, kept {a.Length} (TorchVision kept {t.Length}, same set: {same})");
            Console.WriteLine($"Rethink Nms.Apply       median {mo,9:F3} ms");
            Console.WriteLine($"TorchVision ops.nms     median {mt,9:F3} ms");
            Console.WriteLine($"speed-up                {mt / mo,9:F1}x");
            return same ? 0 : 1;
        });
        return cmd;
    }

    static Command TrainStepBench()
    {
        var arch = new Option<string>("--arch") { DefaultValueFactory = _ => "maskrcnn-r50-fpn" };
        var norm = new Option<string>("--norm") { DefaultValueFactory = _ => "bn" };
        var classes = new Option<int>("--classes") { DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 320, Description = "Square image side in pixels." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 3, Description = "Timed steps after one warm-up step (median reported)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's)." };
        var json = new Option<bool>("--json") { Description = "One JSON object on standard output." };
        var profile = new Option<bool>("--profile") { Description = "Print where the time of the timed steps went." };
        var precision = new Option<string>("--precision")
        {
            DefaultValueFactory = _ => "fp32",
            Description = "fp32, or bf16/fp16: convolutions and linear layers compute in 16 bits (mixed precision; weights, norms and losses stay fp32).",
        };
        var cmd = new Command("train-step", "Time full training steps (forward, backward, SGD) of a Mask R-CNN on synthetic images with 3 objects each.");
        foreach (var o in new Option[] { arch, norm, classes, size, batch, steps, threads, json, profile, precision }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            int s = parse.GetValue(size), b = parse.GetValue(batch);
            manual_seed(0);
            var config = ModelZoo.Config(parse.GetValue(arch)!, NormKinds.Parse(parse.GetValue(norm)!), parse.GetValue(classes));
            using var model = new MaskRcnn(config) { ComputePrecision = MixedPrecision.Parse(parse.GetValue(precision)) };
            model.train();
            var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.01, momentum: 0.9, weight_decay: 1e-4);
            var (images, targets) = SyntheticBatch(b, s, config.NumClasses);
            var times = new List<double>();
            var positives = new List<long>();
            var forwardMacs = new List<long>();
            var losses = new Dictionary<string, double>();
            for (int i = 0; i < parse.GetValue(steps) + 1; i++)
            {
                using var scope = NewDisposeScope();
                StepProfiler.Enabled = parse.GetValue(profile) && i > 0;
                var sw = Stopwatch.StartNew();
                Dictionary<string, Tensor> l;
                using (var macs = MacCounter.Start())
                {
                    l = model.Losses(ImageBatch.FromImages(images), targets);
                    if (i > 0) forwardMacs.Add(macs.Macs);
                }
                var total = l.Values.Aggregate((x, y) => x + y);
                optimizer.zero_grad();
                using (StepProfiler.Measure("backward")) total.backward();
                using (StepProfiler.Measure("optimizer")) optimizer.step();
                if (i > 0) { times.Add(sw.Elapsed.TotalSeconds); positives.Add(model.RoiHeads.LastSampledPositives); }
                losses = l.ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>());
            }
            double peakMb = PeakRssMb();
            // Forward multiply-accumulates as counted; a training step does about three times that (forward, gradient of
            // the input, gradient of the weights), two flops each.
            double stepGflop = 6.0 * forwardMacs.Average() / 1e9, achieved = stepGflop / Median(times);
            if (parse.GetValue(profile))
                foreach (var (name, (ms, calls)) in StepProfiler.Totals().OrderBy(kv => kv.Key))
                    Console.Error.WriteLine($"  {name,-20} {ms / times.Count,8:F0} ms/step");
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { impl = "rethink", arch = parse.GetValue(arch), norm = config.Norm.Name(), precision = MixedPrecision.Name(model.ComputePrecision), size = s, batch = b, threads = get_num_threads(), median_s = Median(times), steps = times, positive_rois = positives, peak_rss_mb = peakMb, forward_gmac = forwardMacs.Average() / 1e9, step_gflop_estimate = stepGflop, achieved_gflops = achieved, losses }));
            else
                Console.WriteLine($"{parse.GetValue(arch)} {config.Norm.Name()} {MixedPrecision.Name(model.ComputePrecision)} {b}x{s}px threads {get_num_threads()}: median {Median(times):F3} s/step over {times.Count} steps (positive RoIs per step: {string.Join(", ", positives)}), peak RSS {peakMb:F0} MB; " +
                                  $"{forwardMacs.Average() / 1e9:F1} GMAC forward, about {stepGflop:F0} GFLOP per step, {achieved:F0} GFLOP/s");
            return 0;
        });
        return cmd;
    }

    /// <summary>The machine's practical peak: a large matrix product in fp32 and bf16 (GFLOP/s), the roof for a training step.</summary>
    static Command MatmulBench()
    {
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 2048, Description = "Square matrix side." };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's)." };
        var cmd = new Command("matmul", "GFLOP/s of an n x n matrix product in fp32 and bf16 (median of 7 after 2 warm-ups).");
        cmd.Options.Add(size); cmd.Options.Add(threads);
        cmd.SetAction(p =>
        {
            TorchRuntime.SetThreads(p.GetValue(threads));
            long n = p.GetValue(size);
            foreach (var type in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                using var scope = NewDisposeScope();
                var a = randn(n, n).to(type);
                var b = randn(n, n).to(type);
                var times = new List<double>();
                for (int i = 0; i < 9; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using (var c = a.matmul(b)) { }
                    if (i >= 2) times.Add(sw.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"matmul {n}x{n} {type} threads {get_num_threads()}: {2.0 * n * n * n / Median(times) / 1e9:F0} GFLOP/s");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Training throughput of a detector on the procedural set with the real loader (decode, resize, flip, batch, in
    /// the background) against the same steps fed one prepared batch over and over: if the two step times agree, the
    /// loader is not the bottleneck.
    /// </summary>
    static Command LoaderBench()
    {
        var arch = new Option<string>("--arch") { DefaultValueFactory = _ => "maskrcnn-tiny-fpn" };
        var norm = new Option<string>("--norm") { DefaultValueFactory = _ => "gn" };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 4 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 40 };
        var threads = new Option<int?>("--threads");
        var cmd = new Command("loader", "Step time with the background loader against without data loading (the loader is not the bottleneck if they agree).");
        foreach (var o in new Option[] { arch, norm, size, batch, steps, threads }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            TorchRuntime.SetThreads(p.GetValue(threads));
            int s = p.GetValue(size), b = p.GetValue(batch), n = p.GetValue(steps);
            var source = new Rethink.DataPrep.Shapes.ShapesSource(2000, 1, new Rethink.DataPrep.Shapes.ShapesConfig { Size = s });
            var loader = new Rethink.Data.DetectionLoader(source, new Rethink.Data.LoaderConfig
            {
                BatchSize = b, Transform = new Rethink.Data.TransformConfig { MinShortSide = s, MaxShortSide = s, MaxSize = s },
            });
            double Run(bool withData)
            {
                manual_seed(0);
                using var model = new MaskRcnn(ModelZoo.Config(p.GetValue(arch)!, NormKinds.Parse(p.GetValue(norm)!), source.CategoryNames.Count + 1));
                model.train();
                var opt = new Rethink.Training.SgdOptimizer(model, new Rethink.Training.OptimizerConfig());
                using var fixedBatch = loader.Prepare(0);
                var sw = Stopwatch.StartNew();
                using var stream = loader.Batches(0).GetEnumerator();
                for (int i = 0; i < n + 5; i++)
                {
                    Rethink.Data.DetectionBatch? fresh = null;
                    if (withData) { stream.MoveNext(); fresh = stream.Current; }
                    var current = fresh ?? fixedBatch;
                    using (var scope = NewDisposeScope())
                    {
                        var l = model.Losses(current.Images, current.Targets);
                        var total = l.Values.Aggregate((x, y) => x + y);
                        opt.ZeroGrad();
                        total.backward();
                        opt.Step(0.01);
                    }
                    fresh?.Dispose();
                    if (i == 4) sw.Restart(); // the first steps warm up
                }
                return sw.Elapsed.TotalSeconds / n;
            }
            double without = Run(false), with = Run(true);
            Console.WriteLine($"{p.GetValue(arch)} {p.GetValue(norm)} batch {b} at {s} px, {get_num_threads()} threads: " +
                              $"{with * 1000:F0} ms/step with the loader ({b / with:F1} img/s), {without * 1000:F0} ms/step without data loading ({b / without:F1} img/s); ratio {with / without:F2}");
            return 0;
        });
        return cmd;
    }

    /// <summary>The same scene recipe as benchmarks/torchvision_train_step.py: three boxes with rectangular masks per image.</summary>
    static (List<Tensor>, List<DetectionTarget>) SyntheticBatch(int batch, int size, int classes)
    {
        var images = new List<Tensor>();
        var targets = new List<DetectionTarget>();
        for (int i = 0; i < batch; i++)
        {
            images.Add(rand(3, size, size));
            var boxes = new float[3 * 4];
            var masks = zeros(3, size, size);
            for (int j = 0; j < 3; j++)
            {
                float x1 = size * (0.1f + 0.25f * j), y1 = size * (0.15f + 0.2f * j);
                float x2 = x1 + size * 0.3f, y2 = y1 + size * 0.35f;
                boxes[4 * j] = x1; boxes[4 * j + 1] = y1; boxes[4 * j + 2] = Math.Min(x2, size); boxes[4 * j + 3] = Math.Min(y2, size);
                masks[j, TensorIndex.Slice((long)y1, (long)Math.Min(y2, size)), TensorIndex.Slice((long)x1, (long)Math.Min(x2, size))] = 1;
            }
            targets.Add(new DetectionTarget(tensor(boxes, [3, 4]), tensor(new long[] { 1, 2 % classes == 0 ? 1 : 2, 1 }), masks));
        }
        return (images, targets);
    }

    static double PeakRssMb()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
