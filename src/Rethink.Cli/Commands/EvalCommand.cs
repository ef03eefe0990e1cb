using System.CommandLine;
using System.Text.Json;
using Rethink.Data.Coco;
using Rethink.Evaluation;

namespace Rethink.Cli.Commands;

/// <summary>`rethink eval --gt GT.json --dets DETS.json --iou-type bbox|segm|keypoints [--json]`: COCOeval as pycocotools prints it.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var gt = new Option<string>("--gt") { Description = "Ground truth (COCO instances or keypoints JSON)." };
        var dets = new Option<string>("--dets") { Description = "Results JSON (a list of detections)." };
        var iouType = new Option<string>("--iou-type") { Description = "bbox, segm or keypoints.", DefaultValueFactory = _ => "bbox" };
        var json = new Option<bool>("--json") { Description = "One JSON object on standard output: stats in pycocotools' order, per-category AP." };
        var run = new Option<string?>("--run") { Description = "Evaluate a training run folder's newest checkpoint on its validation set instead." };
        var cmd = new Command("eval", "Evaluate detections against COCO ground truth (pycocotools' COCOeval, exactly).");
        foreach (var o in new Option[] { gt, dets, iouType, json, run }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            if (p.GetValue(run) is string runDir)
            {
                var scores = Rethink.Experiments.DetectionExperiment.EvaluateRun(runDir);
                if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(scores));
                else foreach (var (k, v) in scores) Console.WriteLine($"{k,-14} {v:F4}");
                return 0;
            }
            string gtPath = p.GetValue(gt) ?? throw new ArgumentException("--gt is required");
            string detsPath = p.GetValue(dets) ?? throw new ArgumentException("--dets is required");
            var type = p.GetValue(iouType)!.ToLowerInvariant() switch
            {
                "bbox" => CocoIouType.Bbox,
                "segm" => CocoIouType.Segm,
                "keypoints" => CocoIouType.Keypoints,
                var other => throw new ArgumentException($"--iou-type {other}: use bbox, segm or keypoints"),
            };
            try
            {
                var groundTruth = CocoFile.Load(gtPath);
                var results = CocoResultsFile.Load(detsPath, groundTruth);
                var result = CocoEvaluator.Evaluate(groundTruth, results.Detections, type);
                if (p.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        iou_type = p.GetValue(iouType),
                        stats = result.Stats,
                        per_category_ap = result.PerCategoryAp.Select(c => new { id = c.CategoryId, name = c.Name, ap = c.AveragePrecision }),
                    }));
                else Console.Write(result.Summary());
                return 0;
            }
            catch (CocoFormatException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 2;
            }
        });
        return cmd;
    }
}
