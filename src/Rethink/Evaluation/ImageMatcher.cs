namespace Rethink.Evaluation;

/// <summary>
/// The greedy matching of pycocotools' evaluateImg for one (image, category, area range). Ground truths outside
/// the area range or ignored sort last; each detection, best score first, takes the unmatched ground truth with
/// the highest IoU at or above the threshold (crowds may be taken many times), and stops looking at ignored ones
/// once it holds a regular match. Unmatched detections outside the area range are ignored.
/// </summary>
internal static class ImageMatcher
{
    /// <param name="ious">IoU of kept detection d (score order) with ground truth g (file order) at [d * G + g].</param>
    /// <param name="outcomes">Receives the outcome of detection d at threshold t at [t * D + d].</param>
    /// <returns>How many ground truths count (are not ignored).</returns>
    public static int Match(
        ReadOnlySpan<double> ious,
        ReadOnlySpan<bool> gtBaseIgnore,
        ReadOnlySpan<double> gtArea,
        ReadOnlySpan<bool> gtCrowd,
        ReadOnlySpan<long> gtId,
        ReadOnlySpan<double> dtArea,
        AreaRange range,
        double[] iouThresholds,
        Span<byte> outcomes)
    {
        int g = gtArea.Length, d = dtArea.Length, t = iouThresholds.Length;

        // Stable partition: ground truths that count first, ignored ones after, each in file order.
        Span<int> order = g <= 256 ? stackalloc int[g] : new int[g];
        Span<bool> ignored = g <= 256 ? stackalloc bool[g] : new bool[g];
        int next = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int j = 0; j < g; j++)
            {
                bool ignore = gtBaseIgnore[j] || gtArea[j] < range.Min || gtArea[j] > range.Max;
                if (ignore == (pass == 1))
                {
                    ignored[next] = ignore;
                    order[next++] = j;
                }
            }
        }

        int counted = 0;
        for (int j = 0; j < g; j++)
        {
            if (!ignored[j])
            {
                counted++;
            }
        }

        Span<bool> gtTaken = g <= 256 ? stackalloc bool[g] : new bool[g];
        for (int ti = 0; ti < t; ti++)
        {
            gtTaken.Clear();
            for (int di = 0; di < d; di++)
            {
                int match = -1;
                if (g > 0)
                {
                    double best = Math.Min(iouThresholds[ti], 1 - 1e-10);
                    ReadOnlySpan<double> row = ious.Slice(di * g, g);
                    for (int j = 0; j < g; j++)
                    {
                        int column = order[j];
                        if (gtTaken[j] && !gtCrowd[column])
                        {
                            continue;
                        }

                        if (match > -1 && !ignored[match] && ignored[j])
                        {
                            break;
                        }

                        if (row[column] < best)
                        {
                            continue;
                        }

                        best = row[column];
                        match = j;
                    }
                }

                // pycocotools records the matched ground truth's id and treats id 0 as "no match" later on.
                bool ignore = false;
                long matchedId = 0;
                if (match > -1)
                {
                    ignore = ignored[match];
                    matchedId = gtId[order[match]];
                    gtTaken[match] = true;
                }

                if (matchedId == 0 && (dtArea[di] < range.Min || dtArea[di] > range.Max))
                {
                    ignore = true;
                }

                outcomes[(ti * d) + di] = ignore
                    ? GroupEvaluation.Ignored
                    : matchedId != 0 ? GroupEvaluation.TruePositive : GroupEvaluation.FalsePositive;
            }
        }

        return counted;
    }
}
