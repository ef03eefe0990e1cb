namespace Rethink.Evaluation;

/// <summary>
/// pycocotools' summarize: the 12 detection stats (10 for keypoints) as means over the precision or recall
/// entries above -1 (numpy's C-order and pairwise summation), and their report lines.
/// </summary>
internal static class CocoSummarizer
{
    private readonly record struct StatSpec(bool Precision, double? IouThreshold, string Area, int MaxDets);

    public static (double[] Stats, string[] Lines) Summarize(PrecisionAccumulator.Arrays arrays, CocoEvalParams p)
    {
        IReadOnlyList<int> maxDets = p.MaxDets.Order().ToArray();
        StatSpec[] specs = p.IouType == CocoIouType.Keypoints
            ?
            [
                new(true, null, "all", 20), new(true, .5, "all", 20), new(true, .75, "all", 20),
                new(true, null, "medium", 20), new(true, null, "large", 20),
                new(false, null, "all", 20), new(false, .5, "all", 20), new(false, .75, "all", 20),
                new(false, null, "medium", 20), new(false, null, "large", 20),
            ]
            :
            [
                new(true, null, "all", 100), new(true, .5, "all", maxDets[2]), new(true, .75, "all", maxDets[2]),
                new(true, null, "small", maxDets[2]), new(true, null, "medium", maxDets[2]), new(true, null, "large", maxDets[2]),
                new(false, null, "all", maxDets[0]), new(false, null, "all", maxDets[1]), new(false, null, "all", maxDets[2]),
                new(false, null, "small", maxDets[2]), new(false, null, "medium", maxDets[2]), new(false, null, "large", maxDets[2]),
            ];

        var stats = new double[specs.Length];
        var lines = new string[specs.Length];
        for (int s = 0; s < specs.Length; s++)
        {
            stats[s] = Stat(arrays, p, maxDets, specs[s]);
            lines[s] = Line(p, specs[s], stats[s]);
        }

        return (stats, lines);
    }

    private static double Stat(PrecisionAccumulator.Arrays arrays, CocoEvalParams p, IReadOnlyList<int> maxDets, StatSpec spec)
    {
        int[] thresholds = Enumerable.Range(0, p.IouThresholds.Count)
            .Where(t => spec.IouThreshold is not double iou || p.IouThresholds[t] == iou).ToArray();
        int area = IndexOf(p.AreaRanges.Select(a => a.Label), spec.Area);
        int m = IndexOf(maxDets, spec.MaxDets);
        if (area < 0 || m < 0)
        {
            return -1;
        }

        var values = new List<double>();
        int categories = arrays.Recall.GetLength(1);
        if (spec.Precision)
        {
            int recalls = arrays.Precision.GetLength(1);
            foreach (int t in thresholds)
            {
                for (int r = 0; r < recalls; r++)
                {
                    for (int k = 0; k < categories; k++)
                    {
                        AddIfMeasured(values, arrays.Precision[t, r, k, area, m]);
                    }
                }
            }
        }
        else
        {
            foreach (int t in thresholds)
            {
                for (int k = 0; k < categories; k++)
                {
                    AddIfMeasured(values, arrays.Recall[t, k, area, m]);
                }
            }
        }

        return values.Count == 0 ? -1 : NumpySemantics.Mean(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }

    /// <summary>Per-category AP (IoU .50:.95, area "all", 100 detections or the largest maxDets).</summary>
    public static double CategoryAp(PrecisionAccumulator.Arrays arrays, CocoEvalParams p, int k)
    {
        int[] maxDets = p.MaxDets.Order().ToArray();
        int m = IndexOf(maxDets, 100);
        m = m < 0 ? maxDets.Length - 1 : m;
        int area = Math.Max(0, IndexOf(p.AreaRanges.Select(a => a.Label), "all"));
        var values = new List<double>();
        for (int t = 0; t < arrays.Precision.GetLength(0); t++)
        {
            for (int r = 0; r < arrays.Precision.GetLength(1); r++)
            {
                AddIfMeasured(values, arrays.Precision[t, r, k, area, m]);
            }
        }

        return values.Count == 0 ? -1 : NumpySemantics.Mean(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }

    private static void AddIfMeasured(List<double> values, double value)
    {
        if (value > -1)
        {
            values.Add(value);
        }
    }

    private static int IndexOf<T>(IEnumerable<T> items, T wanted)
    {
        int i = 0;
        foreach (T item in items)
        {
            if (EqualityComparer<T>.Default.Equals(item, wanted))
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>' {:&lt;18} {} @[ IoU={:&lt;9} | area={:&gt;6s} | maxDets={:&gt;3d} ] = {:0.3f}'</summary>
    private static string Line(CocoEvalParams p, StatSpec spec, double value)
    {
        string title = spec.Precision ? "Average Precision" : "Average Recall";
        string type = spec.Precision ? "(AP)" : "(AR)";
        string iou = spec.IouThreshold is double threshold
            ? PythonFormat.Fixed(threshold, 2)
            : $"{PythonFormat.Fixed(p.IouThresholds[0], 2)}:{PythonFormat.Fixed(p.IouThresholds[^1], 2)}";
        string maxDets = spec.MaxDets.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $" {title,-18} {type} @[ IoU={iou,-9} | area={spec.Area,6} | maxDets={maxDets,3} ] = {PythonFormat.Fixed(value, 3)}";
    }
}
