using System.Runtime.InteropServices;
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
        if (n == 0) return empty(0, dtype: int64, device: boxes.device);

        int[] order;
        double[] b;
        long[]? cats = null;
        using (var scope = NewDisposeScope())
        {
            var sorted = scores.detach().to(float64).cpu().sort(0, descending: true, stable: true).Indices;
            order = sorted.to(int32).data<int>().ToArray();
            b = boxes.detach().to(float64).cpu().index_select(0, sorted).contiguous().data<double>().ToArray();
            if (categories is not null) cats = categories.detach().cpu().to(int64).index_select(0, sorted).data<long>().ToArray();
        }
        var keep = Greedy(b, cats, iouThreshold);
        var kept = new long[keep.Count];
        for (int i = 0; i < kept.Length; i++) kept[i] = order[keep[i]];
        return tensor(kept, dtype: int64, device: boxes.device);
    }

    /// <summary>The greedy pass over boxes already in decreasing score; returns positions in that order.</summary>
    static List<int> Greedy(double[] b, long[]? cats, double threshold)
    {
        int n = b.Length / 4;
        var area = new double[n];
        for (int i = 0; i < n; i++) area[i] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        var suppressed = new bool[n];
        var keep = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (suppressed[i]) continue;
            keep.Add(i);
            double x1 = b[4 * i], y1 = b[4 * i + 1], x2 = b[4 * i + 2], y2 = b[4 * i + 3], ai = area[i];
            long ci = cats?[i] ?? 0;
            for (int j = i + 1; j < n; j++)
            {
                if (suppressed[j] || (cats != null && cats[j] != ci)) continue;
                double w = Math.Min(x2, b[4 * j + 2]) - Math.Max(x1, b[4 * j]);
                if (w <= 0) continue;
                double h = Math.Min(y2, b[4 * j + 3]) - Math.Max(y1, b[4 * j + 1]);
                if (h <= 0) continue;
                double inter = w * h;
                // inter / union > t, written without division; NaN-free for zero-area boxes (union would be 0).
                double union = ai + area[j] - inter;
                if (union > 0 && inter > threshold * union) suppressed[j] = true;
            }
        }
        return keep;
    }
}
