using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Greedy non-maximum suppression. The boxes cross to the host once (one sync, whatever the device) and the greedy
/// pass runs in plain C#; TorchVision for .NET's ops.nms syncs with the host once per kept box.
/// Semantics follow torchvision: a box is dropped when its IoU with a kept, higher-scoring box is strictly greater
/// than the threshold; zero-area boxes suppress nothing and are suppressed by nothing (their IoU is 0/0).
/// Ties in score keep the lower index first (a stable sort), so results do not depend on the sort's mood.
/// </summary>
public static class Nms
{
    /// <summary>Indices (int64) of the kept boxes, in decreasing score.</summary>
    public static Tensor Apply(Tensor boxes, Tensor scores, double iouThreshold) =>
        Run(boxes, scores, null, iouThreshold);

    /// <summary>NMS within each category: boxes of different <paramref name="categories"/> never suppress each other.</summary>
    public static Tensor Batched(Tensor boxes, Tensor scores, Tensor categories, double iouThreshold) =>
        Run(boxes, scores, categories, iouThreshold);

    static Tensor Run(Tensor boxes, Tensor scores, Tensor? categories, double iouThreshold)
    {
        long n = boxes.shape[0];
        if (boxes.dim() != 2 || boxes.shape[1] != 4) throw new ArgumentException($"boxes must be (N, 4), got ({string.Join(", ", boxes.shape)})");
        if (scores.shape[0] != n) throw new ArgumentException($"scores has {scores.shape[0]} entries for {n} boxes");
        if (categories is not null && categories.shape[0] != n) throw new ArgumentException($"categories has {categories.shape[0]} entries for {n} boxes");
        if (n == 0) return empty(0, dtype: int64, device: boxes.device);

        int[] order;
        long[]? cats = null;
        List<int> keep;
        using (var scope = NewDisposeScope())
        {
            var sorted = scores.detach().cpu().sort(0, descending: true, stable: true).Indices;
            order = sorted.to(int32).data<int>().ToArray();
            // IoU in the boxes' own precision, as torchvision computes it (double stays double, the rest is float).
            var sortedBoxes = boxes.detach().cpu().index_select(0, sorted).t().contiguous();
            if (categories is not null) cats = categories.detach().cpu().to(int64).index_select(0, sorted).data<long>().ToArray();
            keep = boxes.dtype == float64
                ? Greedy(Columns<double>(sortedBoxes.to(float64)), cats, iouThreshold)
                : Greedy(Columns<float>(sortedBoxes.to(float32)), cats, (float)iouThreshold);
        }
        var kept = new long[keep.Count];
        for (int i = 0; i < kept.Length; i++) kept[i] = order[keep[i]];
        return tensor(kept, dtype: int64, device: boxes.device);
    }

    static T[][] Columns<T>(Tensor columns) where T : unmanaged
    {
        var all = columns.data<T>().ToArray();
        int n = all.Length / 4;
        var result = new T[4][];
        for (int c = 0; c < 4; c++) result[c] = all.AsSpan(c * n, n).ToArray();
        return result;
    }

    /// <summary>
    /// The greedy pass over boxes already in decreasing score, returning positions in that order. Each kept box is
    /// tested against all later ones a SIMD vector at a time: suppress when inter > threshold * union (the IoU test
    /// without a division, so zero-area pairs, whose union is 0, never suppress).
    /// </summary>
    static List<int> Greedy<T>(T[][] c, long[]? cats, T threshold) where T : unmanaged, INumber<T>
    {
        T[] x1 = c[0], y1 = c[1], x2 = c[2], y2 = c[3];
        int n = x1.Length;
        var area = new T[n];
        for (int i = 0; i < n; i++) area[i] = (x2[i] - x1[i]) * (y2[i] - y1[i]);
        var suppressed = new bool[n];
        var keep = new List<int>();
        int width = Vector<T>.Count;
        var zero = Vector<T>.Zero;
        var thr = new Vector<T>(threshold);
        for (int i = 0; i < n; i++)
        {
            if (suppressed[i]) continue;
            keep.Add(i);
            var bx1 = new Vector<T>(x1[i]); var by1 = new Vector<T>(y1[i]);
            var bx2 = new Vector<T>(x2[i]); var by2 = new Vector<T>(y2[i]);
            var ba = new Vector<T>(area[i]);
            long ci = cats?[i] ?? 0;
            int j = i + 1;
            for (; j + width <= n; j += width)
            {
                var w = Vector.Max(Vector.Min(bx2, new Vector<T>(x2, j)) - Vector.Max(bx1, new Vector<T>(x1, j)), zero);
                var h = Vector.Max(Vector.Min(by2, new Vector<T>(y2, j)) - Vector.Max(by1, new Vector<T>(y1, j)), zero);
                var inter = w * h;
                var union = ba + new Vector<T>(area, j) - inter;
                var hit = Vector.GreaterThan(inter, thr * union);
                if (hit == Vector<T>.Zero) continue;
                for (int k = 0; k < width; k++)
                    if (hit[k] != T.Zero && (cats == null || cats[j + k] == ci)) suppressed[j + k] = true;
            }
            for (; j < n; j++)
            {
                T w = T.Max(T.Min(x2[i], x2[j]) - T.Max(x1[i], x1[j]), T.Zero);
                T h = T.Max(T.Min(y2[i], y2[j]) - T.Max(y1[i], y1[j]), T.Zero);
                T inter = w * h;
                if (inter > threshold * (area[i] + area[j] - inter) && (cats == null || cats[j] == ci)) suppressed[j] = true;
            }
        }
        return keep;
    }
}
