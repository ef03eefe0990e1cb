using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>
/// Box IoU with COCO's crowd rule (pycocotools bbIou): against a crowd box the union is the detection's own area,
/// so a detection wholly inside a crowd region scores 1.
/// </summary>
public static class BoxIou
{
    /// <summary>IoU of every detection box (rows) with every ground-truth box (columns).</summary>
    public static double[,] Compute(IReadOnlyList<CocoBox> detections, IReadOnlyList<CocoBox> groundTruths, IReadOnlyList<bool>? isCrowd = null)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(groundTruths);
        var iou = new double[detections.Count, groundTruths.Count];
        for (int g = 0; g < groundTruths.Count; g++)
        {
            bool crowd = isCrowd is not null && isCrowd[g];
            for (int d = 0; d < detections.Count; d++)
            {
                iou[d, g] = Pair(detections[d], groundTruths[g], crowd);
            }
        }

        return iou;
    }

    /// <summary>IoU of one detection with one ground truth, with the arithmetic in pycocotools' order.</summary>
    public static double Pair(CocoBox detection, CocoBox groundTruth, bool groundTruthIsCrowd = false)
    {
        double w = Math.Min(detection.Width + detection.X, groundTruth.Width + groundTruth.X) - Math.Max(detection.X, groundTruth.X);
        if (w <= 0)
        {
            return 0;
        }

        double h = Math.Min(detection.Height + detection.Y, groundTruth.Height + groundTruth.Y) - Math.Max(detection.Y, groundTruth.Y);
        if (h <= 0)
        {
            return 0;
        }

        double inter = w * h;
        double detectionArea = detection.Width * detection.Height;
        double union = groundTruthIsCrowd ? detectionArea : detectionArea + (groundTruth.Width * groundTruth.Height) - inter;
        return inter / union;
    }
}
