using Rethink.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rethink.Evaluation;

/// <summary>
/// pycocotools' accumulate: per category, area range and maxDets, pool the images' top detections, sort them by
/// score (numpy's stable mergesort over images in ascending id order), and turn cumulative true/false positives
/// into recall and the monotone precision envelope sampled at the recall thresholds (searchsorted, side='left').
/// Categories are independent, so they run in parallel; each writes only its own slice.
/// </summary>
internal static class PrecisionAccumulator
{
    private const double Eps = 2.220446049250313e-16; // np.spacing(1)

    public sealed record Arrays(double[,,,,] Precision, double[,,,] Recall, double[,,,,] Scores);

    /// <param name="groups">evaluateImg results at [image * K + category]; null where there was nothing.</param>
    public static Arrays Accumulate(GroupEvaluation?[] groups, int imageCount, int categoryCount, CocoEvalParams p, bool parallel)
    {
        double[] recallThresholds = p.RecallThresholds.ToArray();
        int[] maxDets = p.MaxDets.Order().ToArray();
        int t = p.IouThresholds.Count, r = recallThresholds.Length, a = p.AreaRanges.Count, m = maxDets.Length;
        var precision = new double[t, r, categoryCount, a, m];
        var recall = new double[t, categoryCount, a, m];
        var scores = new double[t, r, categoryCount, a, m];
        FillWithMinusOne(precision);
        FillWithMinusOne(recall);
        FillWithMinusOne(scores);

        void One(int k) => AccumulateCategory(k, groups, imageCount, categoryCount, recallThresholds, maxDets, t, a, precision, recall, scores);
        ParallelWork.For(categoryCount, ParallelWork.Cores(parallel), One);

        return new Arrays(precision, recall, scores);
    }

    /// <summary>-1 marks "nothing to measure" (absent categories), as in pycocotools.</summary>
    private static void FillWithMinusOne(Array array)
    {
        ref double first = ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array));
        MemoryMarshal.CreateSpan(ref first, array.Length).Fill(-1);
    }

    private static void AccumulateCategory(
        int k,
        GroupEvaluation?[] groups,
        int imageCount,
        int categoryCount,
        double[] recallThresholds,
        int[] maxDets,
        int thresholdCount,
        int areaCount,
        double[,,,,] precision,
        double[,,,] recall,
        double[,,,,] scores)
    {
        // Pool the category's kept detections, images in ascending id order, each image's in score order.
        var evaluations = new List<GroupEvaluation>();
        int pooled = 0;
        for (int i = 0; i < imageCount; i++)
        {
            if (groups[(i * categoryCount) + k] is { } e)
            {
                evaluations.Add(e);
                pooled += e.Scores.Length;
            }
        }

        if (evaluations.Count == 0)
        {
            return;
        }

        var pooledScores = new double[pooled];
        var rank = new int[pooled];
        var outcomes = new byte[areaCount][];
        var counted = new long[areaCount];
        for (int a = 0; a < areaCount; a++)
        {
            outcomes[a] = new byte[thresholdCount * pooled];
        }

        int offset = 0;
        foreach (GroupEvaluation e in evaluations)
        {
            int d = e.Scores.Length;
            e.Scores.CopyTo(pooledScores, offset);
            for (int j = 0; j < d; j++)
            {
                rank[offset + j] = j;
            }

            for (int a = 0; a < areaCount; a++)
            {
                counted[a] += e.CountedGroundTruths[a];
                for (int t = 0; t < thresholdCount; t++)
                {
                    e.OutcomesOf(a).Slice(t * d, d).CopyTo(outcomes[a].AsSpan((t * pooled) + offset, d));
                }
            }

            offset += d;
        }

        int[] order = StableDescendingOrder(pooledScores);

        // Sorting the largest pool once serves every maxDets: a stable sort of a subset is the subset of the sort.
        var selected = new int[pooled];
        var events = new TruePositiveEvents(pooled);
        for (int mi = 0; mi < maxDets.Length; mi++)
        {
            int nd = 0;
            foreach (int position in order)
            {
                if (rank[position] < maxDets[mi])
                {
                    selected[nd++] = position;
                }
            }

            for (int ai = 0; ai < areaCount; ai++)
            {
                if (counted[ai] == 0)
                {
                    continue;
                }

                for (int ti = 0; ti < thresholdCount; ti++)
                {
                    ReadOnlySpan<byte> outcome = outcomes[ai].AsSpan(ti * pooled, pooled);
                    double tp = 0, fp = 0;
                    events.Clear();
                    for (int j = 0; j < nd; j++)
                    {
                        byte o = outcome[selected[j]];
                        if (o == GroupEvaluation.TruePositive)
                        {
                            tp++;
                            events.Add(j, tp / counted[ai], tp / (fp + tp + Eps));
                        }
                        else if (o == GroupEvaluation.FalsePositive)
                        {
                            fp++;
                        }
                    }

                    recall[ti, k, ai, mi] = nd > 0 ? tp / counted[ai] : 0;
                    FillPrecision(events, nd, selected, pooledScores, recallThresholds, precision, scores, ti, k, ai, mi);
                }
            }
        }
    }

    /// <summary>
    /// Precision at each recall threshold from the true-positive events alone. Recall only grows at a true positive
    /// and precision only grows there, so searchsorted(rc, r, 'left') lands on the first entry or on a true
    /// positive, and the envelope there is the best precision of that or any later true positive. The numbers are
    /// the very doubles pycocotools compares and copies.
    /// </summary>
    private static void FillPrecision(
        TruePositiveEvents events,
        int nd,
        int[] selected,
        double[] pooledScores,
        double[] recallThresholds,
        double[,,,,] precision,
        double[,,,,] scores,
        int ti,
        int k,
        int ai,
        int mi)
    {
        events.ComputeSuffixMaxima();
        bool firstIsTruePositive = events.Count > 0 && events.Entry[0] == 0;
        int e = 0;
        for (int ri = 0; ri < recallThresholds.Length; ri++)
        {
            double threshold = recallThresholds[ri];
            int entry;
            double value;
            if (nd > 0 && !firstIsTruePositive && 0.0 >= threshold)
            {
                // Recall is 0 at the first entry; its envelope is the best precision anywhere (0 without true positives).
                entry = 0;
                value = events.Count > 0 && events.SuffixMax[0] > 0 ? events.SuffixMax[0] : 0.0;
            }
            else
            {
                while (e < events.Count && events.Recall[e] < threshold)
                {
                    e++;
                }

                if (nd == 0 || e == events.Count)
                {
                    // pycocotools stops at the IndexError and leaves the remaining thresholds at 0.
                    for (int rest = ri; rest < recallThresholds.Length; rest++)
                    {
                        precision[ti, rest, k, ai, mi] = 0;
                        scores[ti, rest, k, ai, mi] = 0;
                    }

                    return;
                }

                entry = events.Entry[e];
                value = events.SuffixMax[e];
            }

            precision[ti, ri, k, ai, mi] = value;
            scores[ti, ri, k, ai, mi] = pooledScores[selected[entry]];
        }
    }

    /// <summary>Positions by descending score, ties in pooling order: numpy's stable argsort of -score.</summary>
    private static int[] StableDescendingOrder(double[] scores)
    {
        int n = scores.Length;
        var keys = new double[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = -scores[i];
            order[i] = i;
        }

        Array.Sort(keys, order);

        // The primitive sort is not stable: put each run of equal scores back in pooling order.
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }

            start = end;
        }

        return order;
    }

    /// <summary>Where the cumulative true-positive count rises: entry index, recall and precision there.</summary>
    private sealed class TruePositiveEvents(int capacity)
    {
        public int[] Entry { get; } = new int[capacity];

        public double[] Recall { get; } = new double[capacity];

        public double[] Precision { get; } = new double[capacity];

        public double[] SuffixMax { get; } = new double[capacity];

        public int Count { get; private set; }

        public void Clear() => Count = 0;

        public void Add(int entry, double recall, double precision)
        {
            Entry[Count] = entry;
            Recall[Count] = recall;
            Precision[Count] = precision;
            Count++;
        }

        /// <summary>The monotone envelope restricted to true positives: best precision at this or any later one.</summary>
        public void ComputeSuffixMaxima()
        {
            double best = double.NegativeInfinity;
            for (int i = Count - 1; i >= 0; i--)
            {
                if (Precision[i] > best)
                {
                    best = Precision[i];
                }

                SuffixMax[i] = best;
            }
        }
    }
}
