using System.CommandLine;
using System.Diagnostics;
using Rethink.Data.Coco;
using Rethink.Evaluation;

namespace Rethink.Cli.Commands.Bench;

/// <summary>
/// `rethink bench coco-eval`: COCOeval on a val2017-sized synthetic case (5,000 images, 80 categories, about 7 ground
/// truths and 100 detections per image), bbox and segm, each timed in its own child process so that the peak memory
/// reported is that evaluation's alone. pycocotools' times on this machine kind are the yardstick (docs/benchmarks.md).
/// </summary>
public static class CocoEvalBench
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Where the case is written (reused when present).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "rethink-coco-bench") };
        var images = new Option<int>("--images") { DefaultValueFactory = _ => 5000 };
        var child = new Option<string?>("--child") { Hidden = true };
        var cmd = new Command("coco-eval", "Time loading and evaluating a val2017-sized case (bbox and segm) and report peak memory.");
        cmd.Options.Add(dir); cmd.Options.Add(images); cmd.Options.Add(child);
        cmd.SetAction(p =>
        {
            string directory = p.GetValue(dir)!;
            if (p.GetValue(child) is string kind)
            {
                Time(directory, kind == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm);
                return 0;
            }
            if (!File.Exists(Path.Combine(directory, "dets_segm.json")))
            {
                var clock = Stopwatch.StartNew();
                CocoEvalCase.Write(directory, p.GetValue(images), seed: 2017);
                Console.WriteLine($"generated {p.GetValue(images)} images into {directory} in {clock.Elapsed.TotalSeconds:F1} s");
            }
            else Console.WriteLine($"using the case already in {directory}");
            foreach (var k in new[] { "bbox", "segm" })
            {
                var r = SelfTestCommand.RunChildCommand(["bench", "coco-eval", "--dir", directory, "--child", k]);
                Console.Write(r.Output);
                if (r.ExitCode != 0) return r.ExitCode;
            }
            return 0;
        });
        return cmd;
    }

    static void Time(string directory, CocoIouType iouType)
    {
        string kind = iouType == CocoIouType.Bbox ? "bbox" : "segm";
        var clock = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var gt = CocoFile.Load(Path.Combine(directory, "gt.json"));
        var results = CocoResultsFile.Load(Path.Combine(directory, $"dets_{kind}.json"), gt);
        double load = clock.Elapsed.TotalSeconds;
        var cpuLoad = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Restart();
        var result = CocoEvaluator.Evaluate(gt, results.Detections, iouType);
        string summary = result.Summary();
        double evaluate = clock.Elapsed.TotalSeconds;
        var cpuEnd = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine($"== {kind}: {gt.Images.Count} images, {gt.Annotations.Count} annotations, {results.Detections.Count} detections, {Environment.ProcessorCount} cores");
        Console.Write(summary);
        string peak = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?["VmHWM:".Length..].Trim() ?? "n/a";
        string loadAvg = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        Console.WriteLine($"{kind}: load {load:F2} s + evaluate/accumulate/summarize {evaluate:F2} s = {load + evaluate:F2} s wall; " +
                          $"CPU {(cpuLoad - cpuStart).TotalSeconds:F2} s + {(cpuEnd - cpuLoad).TotalSeconds:F2} s; peak memory {peak}; load average {loadAvg}");
    }
}
