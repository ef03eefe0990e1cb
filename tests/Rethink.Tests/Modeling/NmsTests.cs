using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

public class NmsTests
{
    public NmsTests() => TestSupport.Init();

    static long[] Sorted(Tensor t) => t.data<long>().ToArray().OrderBy(v => v).ToArray();

    /// <summary>Kept sets equal torchvision's; where scores tie, torchvision's unstable sort may pick another box, so
    /// only the sets are compared. Our rule: a stable sort, so the lower index wins a tie.</summary>
    [Theory]
    [InlineData("nms")]
    [InlineData("batched_nms")]
    public void KeptSetsMatchTorchvision(string op)
    {
        foreach (var c in TestSupport.LoadJson("torchvision-ops-vectors.json").GetProperty(op).EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var expected = c.GetProperty("keep").EnumerateArray().Select(e => e.GetInt64()).OrderBy(v => v).ToArray();
            var boxesJson = c.GetProperty("boxes");
            var boxes = boxesJson.GetArrayLength() == 0 ? zeros(0, 4, float64) : TestSupport.ToTensor(boxesJson);
            var scores = c.GetProperty("scores").GetArrayLength() == 0 ? zeros(0, float64) : TestSupport.ToTensor(c.GetProperty("scores"));
            double thr = c.GetProperty("iou_threshold").GetDouble();
            var keep = op == "nms"
                ? Nms.Apply(boxes, scores, thr)
                : Nms.Batched(boxes, scores, c.GetProperty("idxs").GetArrayLength() == 0 ? zeros(0, int64) : TestSupport.ToTensor(c.GetProperty("idxs"), int64), thr);
            Assert.Equal(expected, Sorted(keep));
        }
    }

    static List<long> BruteForce(double[,] b, double[] s, long[]? cats, double thr)
    {
        int n = s.Length;
        var order = Enumerable.Range(0, n).OrderByDescending(i => s[i]).ThenBy(i => i).ToList();
        var keep = new List<long>();
        foreach (int i in order)
        {
            bool suppressed = keep.Any(k =>
            {
                if (cats != null && cats[k] != cats[i]) return false;
                double iw = Math.Max(0, Math.Min(b[k, 2], b[i, 2]) - Math.Max(b[k, 0], b[i, 0]));
                double ih = Math.Max(0, Math.Min(b[k, 3], b[i, 3]) - Math.Max(b[k, 1], b[i, 1]));
                double inter = iw * ih;
                double union = (b[k, 2] - b[k, 0]) * (b[k, 3] - b[k, 1]) + (b[i, 2] - b[i, 0]) * (b[i, 3] - b[i, 1]) - inter;
                return union > 0 && inter / union > thr;
            });
            if (!suppressed) keep.Add(i);
        }
        return keep;
    }

    [Theory]
    [InlineData(0.3, false)]
    [InlineData(0.5, true)]
    [InlineData(0.7, false)]
    public void MatchesBruteForceInOrderWithTiesZeroSizeAndOutsideBoxes(double thr, bool batched)
    {
        using var scope = NewDisposeScope();
        var gen = new Random(42);
        int n = 400;
        var b = new double[n, 4];
        var s = new double[n];
        var cats = new long[n];
        for (int i = 0; i < n; i++)
        {
            double x = gen.NextDouble() * 100 - 10, y = gen.NextDouble() * 100 - 10;
            double w = i % 37 == 0 ? 0 : gen.NextDouble() * 30, h = i % 41 == 0 ? 0 : gen.NextDouble() * 30;
            b[i, 0] = x; b[i, 1] = y; b[i, 2] = x + w; b[i, 3] = y + h;
            s[i] = Math.Round(gen.NextDouble() * 20) / 20; // many equal scores
            cats[i] = gen.Next(3);
        }
        var expected = BruteForce(b, s, batched ? cats : null, thr);
        var bt = tensor(b.Cast<double>().ToArray(), [n, 4], float64);
        var st = tensor(s, float64);
        var keep = batched ? Nms.Batched(bt, st, tensor(cats), thr) : Nms.Apply(bt, st, thr);
        Assert.Equal(expected, keep.data<long>().ToArray());
    }

    [Fact]
    public void EmptyAndSingle()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0, Nms.Apply(zeros(0, 4), zeros(0), 0.5).shape[0]);
        Assert.Equal(0, Nms.Batched(zeros(0, 4), zeros(0), zeros(0, int64), 0.5).shape[0]);
        Assert.Equal(new long[] { 0 }, Nms.Apply(tensor(new float[] { 1, 1, 5, 5 }, [1, 4]), tensor(new float[] { 0.3f }), 0.5).data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => Nms.Apply(zeros(3, 4), zeros(2), 0.5));
    }

    [Fact]
    public void DifferentCategoriesNeverSuppressEachOther()
    {
        using var scope = NewDisposeScope();
        var boxes = tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10 }, [3, 4]);
        var scores = tensor(new float[] { 0.9f, 0.8f, 0.7f });
        Assert.Equal(new long[] { 0, 1 }, Nms.Batched(boxes, scores, tensor(new long[] { 1, 2, 1 }), 0.5).data<long>().ToArray());
        Assert.Equal(new long[] { 0 }, Nms.Apply(boxes, scores, 0.5).data<long>().ToArray());
    }
}
