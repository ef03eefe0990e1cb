using Rethink.Data;
using Rethink.Data.Coco;
using Rethink.Data.Masks;
using Rethink.Modeling;
using Rethink.Runtime;
using Rethink.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Evaluation;

/// <summary>
/// Runs a detector over a source and scores it with COCOeval: boxes and masks (and keypoints) become COCO results in
/// original-image pixels (masks thresholded at 0.5 and RLE-encoded, as pycocotools expects), then bbox / segm /
/// keypoints stats. Metric names: "bbox/AP", "bbox/AP50", ..., "segm/AP", ...
/// </summary>
public static class DetectorEvaluation
{
    public static readonly string[] StatNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];
    public static readonly string[] KeypointStatNames = ["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"];

    /// <summary>COCO results for every image of the source (ids mapped back to the ground truth's category ids).</summary>
    public static List<CocoDetection> Predict(MaskRcnn model, IDetectionSource source, IReadOnlyList<long> categoryIds,
        TransformConfig transform, Device device, int batchSize = 4, IProgress<int>? progress = null)
    {
        var results = new List<CocoDetection>();
        foreach (var (record, det) in DetectionInference.Run(model, source, transform, device, batchSize, progress))
        {
            using (det)
            {
                if (det.Count == 0) continue; // (TorchSharp cannot copy an empty tensor out)
                var boxes = det.Boxes.cpu().to(float64).data<double>().ToArray();
                var scores = det.Scores.cpu().to(float64).data<double>().ToArray();
                var labels = det.Labels.cpu().data<long>().ToArray();
                byte[]? masks = null;
                if (det.Masks is not null && det.Count > 0) masks = det.Masks.cpu().ge(Scalars.Of(0.5)).to(ScalarType.Byte).data<byte>().ToArray();
                var kps = det.Keypoints is not null && det.Count > 0 ? det.Keypoints.cpu().to(float64).data<double>().ToArray() : null;
                int k = det.Keypoints is not null ? (int)det.Keypoints.shape[1] : 0;
                int hw = record.Height * record.Width;
                for (int i = 0; i < det.Count; i++)
                {
                    var box = new CocoBox(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2] - boxes[4 * i], boxes[4 * i + 3] - boxes[4 * i + 1]);
                    CocoSegmentation? seg = null;
                    if (masks is not null)
                    {
                        var rle = Rle.Encode(masks.AsSpan(i * hw, hw).ToArray(), record.Height, record.Width);
                        seg = new CompressedRleSegmentation(record.Height, record.Width, rle.ToCompressedString());
                    }
                    IReadOnlyList<double>? keypoints = null;
                    if (kps is not null)
                    {
                        var list = new double[k * 3];
                        for (int j = 0; j < k; j++) { list[3 * j] = kps[(i * k + j) * 3]; list[3 * j + 1] = kps[(i * k + j) * 3 + 1]; list[3 * j + 2] = 1; }
                        keypoints = list;
                    }
                    results.Add(new CocoDetection(record.ImageId, categoryIds[(int)labels[i] - 1], scores[i], box, seg, keypoints));
                }
            }
        }
        return results;
    }

    /// <summary>Scores results against ground truth: every iou type the results carry.</summary>
    public static Dictionary<string, double> Score(CocoDataset groundTruth, IReadOnlyList<CocoDetection> results, bool masks, bool keypoints)
    {
        var values = new Dictionary<string, double>();
        void Add(string prefix, CocoIouType type, string[] names)
        {
            var r = CocoEvaluator.Evaluate(groundTruth, results, type);
            for (int i = 0; i < r.Stats.Count && i < names.Length; i++) values[$"{prefix}/{names[i]}"] = r.Stats[i];
        }
        Add("bbox", CocoIouType.Bbox, StatNames);
        if (masks) Add("segm", CocoIouType.Segm, StatNames);
        if (keypoints) Add("keypoints", CocoIouType.Keypoints, KeypointStatNames);
        return values;
    }
}
