using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

public class BoxCodingTests
{
    public BoxCodingTests() => TestSupport.Init();

    [Fact]
    public void EncodeAndDecodeMatchTorchvision()
    {
        using var scope = NewDisposeScope();
        var c = TestSupport.LoadJson("torchvision-ops-vectors.json").GetProperty("box_coder");
        var w = c.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var coder = new BoxCoder(w[0], w[1], w[2], w[3]);
        var reference = TestSupport.ToTensor(c.GetProperty("reference_boxes"));
        var proposals = TestSupport.ToTensor(c.GetProperty("proposals"));
        var encoded = coder.Encode(reference, proposals);
        Assert.True(TestSupport.MaxAbsDiff(encoded, TestSupport.ToTensor(c.GetProperty("encoded"))) < 1e-9);
        var decoded = coder.Decode(TestSupport.ToTensor(c.GetProperty("encoded")), proposals);
        Assert.True(TestSupport.MaxAbsDiff(decoded, TestSupport.ToTensor(c.GetProperty("decoded"))) < 1e-9);
    }

    [Fact]
    public void RoundTripsAndClampsHugeScales()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var anchors = cat([rand(50, 2) * 100, rand(50, 2) * 100 + 101], 1).to(float64);
        var boxes = cat([rand(50, 2) * 100, rand(50, 2) * 100 + 101], 1).to(float64);
        foreach (var coder in new[] { BoxCoder.Rpn, BoxCoder.RoiHeads })
            Assert.True(TestSupport.MaxAbsDiff(coder.Decode(coder.Encode(boxes, anchors), anchors), boxes) < 1e-9);
        var huge = BoxCoder.Rpn.Decode(tensor(new double[] { 0, 0, 100, 100 }, [1, 4]), tensor(new double[] { 0, 0, 10, 10 }, [1, 4]));
        Assert.Equal(10 * Math.Exp(Math.Log(1000.0 / 16)), (huge[0, 2] - huge[0, 0]).item<double>(), 6);
        // (N, 4k) deltas decode per class; zero rows stay zero-shaped.
        Assert.Equal([0L, 12], BoxCoder.RoiHeads.Decode(zeros(0, 12), zeros(0, 4)).shape);
    }

    [Fact]
    public void AnchorsMatchTorchvisionBaseAnchorsAndGridOrder()
    {
        using var scope = NewDisposeScope();
        var gen = new AnchorGenerator([32, 64, 128, 256, 512], [0.5, 1.0, 2.0], [4, 8, 16, 32, 64]);
        // torchvision's AnchorGenerator((32,), (0.5, 1.0, 2.0)).cell_anchors[0]
        Assert.Equal(new float[] { -23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23 }, gen.BaseAnchors(0).data<float>().ToArray());
        var level = gen.LevelAnchors(1, 3, 5);
        Assert.Equal([45L, 4], level.shape);
        // Cell (row 1, col 2) at stride 8 is shifted by (16, 8); its three anchors are rows 3 * (1 * 5 + 2) ..
        var cell = level.narrow(0, 3 * 7, 3) - gen.BaseAnchors(1);
        Assert.Equal(new float[] { 16, 8, 16, 8, 16, 8, 16, 8, 16, 8, 16, 8 }, cell.data<float>().ToArray());
    }

    [Fact]
    public void MatcherThresholdsAndLowQualityMatches()
    {
        using var scope = NewDisposeScope();
        // 2 ground truths x 4 predictions.
        var iou = tensor(new float[] { 0.9f, 0.5f, 0.2f, 0.1f, 0.1f, 0.6f, 0.25f, 0.2f }, [2, 4]);
        var m = new Matcher(0.7, 0.3, AllowLowQuality: false).Match(iou).data<long>().ToArray();
        Assert.Equal(new long[] { 0, Matcher.BetweenThresholds, Matcher.BelowLow, Matcher.BelowLow }, m);
        var low = new Matcher(0.7, 0.3, AllowLowQuality: true).Match(iou).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 1, Matcher.BelowLow, Matcher.BelowLow }, low);
        Assert.All(new Matcher(0.5, 0.5, false).Match(zeros(0, 3)).data<long>().ToArray(), v => Assert.Equal(Matcher.BelowLow, v));
    }

    [Fact]
    public void SamplerKeepsPositiveFractionAndIsSeeded()
    {
        using var scope = NewDisposeScope();
        var labels = cat([ones(100, int64), zeros(1000, int64), full(50, -1L, int64)]);
        manual_seed(3);
        var (p1, n1) = new BalancedSampler(256, 0.25).Sample(labels);
        Assert.Equal(64, p1.shape[0]);
        Assert.Equal(192, n1.shape[0]);
        manual_seed(3);
        var (p2, _) = new BalancedSampler(256, 0.25).Sample(labels);
        Assert.Equal(p1.data<long>().ToArray(), p2.data<long>().ToArray());
        var (p3, n3) = new BalancedSampler(256, 0.5).Sample(cat([ones(10, int64), zeros(20, int64)]));
        Assert.Equal(10, p3.shape[0]);
        Assert.Equal(20, n3.shape[0]);
    }
}
