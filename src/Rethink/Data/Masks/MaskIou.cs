using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>
/// Mask IoU with COCO's crowd rule (pycocotools rleIou): against a crowd region the union is the detection's area.
/// As in pycocotools, pairs whose bounding boxes do not overlap are 0 without decoding, and masks of different
/// sizes give -1.
/// </summary>
public static class MaskIou
{
    /// <summary>IoU of every detection mask (rows) with every ground-truth mask (columns).</summary>
    public static double[,] Compute(IReadOnlyList<Rle> detections, IReadOnlyList<Rle> groundTruths, IReadOnlyList<bool>? isCrowd = null)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(groundTruths);
        var dt = detections.Select(MaskFacts.Of).ToArray();
        var iou = new double[detections.Count, groundTruths.Count];
        for (int g = 0; g < groundTruths.Count; g++)
        {
            bool crowd = isCrowd is not null && isCrowd[g];
            MaskFacts gt = MaskFacts.Of(groundTruths[g]);
            for (int d = 0; d < detections.Count; d++)
            {
                iou[d, g] = Pair(detections[d].CountsArray, dt[d], groundTruths[g].CountsArray, gt, crowd);
            }
        }

        return iou;
    }

    /// <summary>IoU of one pair. The boxes are a pre-filter (as in pycocotools); the areas give the union.</summary>
    internal static double Pair(ReadOnlySpan<uint> dt, in MaskFacts dtFacts, ReadOnlySpan<uint> gt, in MaskFacts gtFacts, bool crowd)
    {
        if (!(BoxIou.Pair(dtFacts.Box, gtFacts.Box, crowd) > 0))
        {
            return 0;
        }

        if (dtFacts.Height != gtFacts.Height || dtFacts.Width != gtFacts.Width)
        {
            return -1;
        }

        long intersection = Intersection(dt, gt);
        if (intersection == 0)
        {
            return 0;
        }

        // pycocotools counts the union pixel by pixel; |A| + |B| - |A n B| is the same integer.
        long union = crowd ? dtFacts.Area : dtFacts.Area + gtFacts.Area - intersection;
        return (double)(uint)intersection / (uint)union;
    }

    /// <summary>Foreground pixels both masks share, by merging their foreground intervals.</summary>
    internal static long Intersection(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        if (a.Length < 2 || b.Length < 2)
        {
            return 0;
        }

        // Current foreground interval [start, end) of each mask; counts[i + 1] is its length when i is even.
        int ia = 0, ib = 0;
        long sa = a[0], ea = sa + a[1], sb = b[0], eb = sb + b[1];
        long intersection = 0;
        while (true)
        {
            long lo = Math.Max(sa, sb), hi = Math.Min(ea, eb);
            if (hi > lo)
            {
                intersection += hi - lo;
            }

            if (ea <= eb)
            {
                ia += 2;
                if (ia + 1 >= a.Length)
                {
                    return intersection;
                }

                sa = ea + a[ia];
                ea = sa + a[ia + 1];
            }
            else
            {
                ib += 2;
                if (ib + 1 >= b.Length)
                {
                    return intersection;
                }

                sb = eb + b[ib];
                eb = sb + b[ib + 1];
            }
        }
    }
}
