using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

public class RoiAlignTests
{
    public RoiAlignTests() => TestSupport.Init();

    [Fact]
    public void MatchesTorchvisionVectorsForwardAndBackward()
    {
        var cases = TestSupport.LoadJson("torchvision-ops-vectors.json").GetProperty("roi_align");
        int n = 0;
        foreach (var c in cases.EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var input = TestSupport.ToTensor(c.GetProperty("input")).requires_grad_(true);
            var rois = TestSupport.ToTensor(c.GetProperty("rois"));
            var size = c.GetProperty("output_size");
            var output = RoiAlign.Apply(input, rois, size[0].GetInt64(), size[1].GetInt64(), c.GetProperty("spatial_scale").GetDouble(),
                c.GetProperty("sampling_ratio").GetInt32(), c.GetProperty("aligned").GetBoolean());
            Assert.True(TestSupport.MaxAbsDiff(output, TestSupport.ToTensor(c.GetProperty("output"))) < 1e-9, $"case {n} forward");
            output.backward([TestSupport.ToTensor(c.GetProperty("upstream_grad"))]);
            Assert.True(TestSupport.MaxAbsDiff(input.grad!, TestSupport.ToTensor(c.GetProperty("input_grad"))) < 1e-9, $"case {n} input gradient");
            n++;
        }
        Assert.Equal(8, n);
    }

    public static IEnumerable<object[]> RandomCases() =>
        from sr in new[] { 0, 1, 2 }
        from aligned in new[] { false, true }
        from scale in new[] { 1.0, 0.25 }
        select new object[] { sr, aligned, scale };

    /// <summary>Random boxes plus the edge cases: partly outside, wholly outside, zero width, zero size, a single pixel.</summary>
    [Theory]
    [MemberData(nameof(RandomCases))]
    public void MatchesBruteForceOnRandomAndEdgeBoxes(int samplingRatio, bool aligned, double scale)
    {
        using var scope = NewDisposeScope();
        var gen = new Random(samplingRatio * 7 + (aligned ? 1 : 0) + (int)(scale * 100));
        int b = 2, ch = 3, h = 9, w = 13;
        var (inputArr, rois) = RandomCase(gen, b, ch, h, w, scale);
        var roiList = Enumerable.Range(0, rois.GetLength(0)).ToList();
        var contrib = RoiAlignReference.Contributions(rois, h, w, 5, 4, scale, samplingRatio, aligned);
        var expected = RoiAlignReference.Forward(inputArr, contrib);

        var input = tensor(inputArr.Cast<double>().ToArray(), [b, ch, h, w], float64).requires_grad_(true);
        var roiT = tensor(rois.Cast<double>().ToArray(), [roiList.Count, 5], float64);
        var output = RoiAlign.Apply(input, roiT, 5, 4, scale, samplingRatio, aligned);
        var exp = tensor(expected.Cast<double>().ToArray(), output.shape, float64);
        Assert.True(TestSupport.MaxAbsDiff(output, exp) < 1e-12, "forward");

        var upstreamArr = new double[roiList.Count, ch, 5, 4];
        for (int r = 0; r < roiList.Count; r++) for (int c = 0; c < ch; c++) for (int i = 0; i < 5; i++) for (int j = 0; j < 4; j++) upstreamArr[r, c, i, j] = gen.NextDouble();
        output.backward([tensor(upstreamArr.Cast<double>().ToArray(), output.shape, float64)]);
        var expGrad = RoiAlignReference.Backward([b, ch, h, w], upstreamArr, contrib);
        Assert.True(TestSupport.MaxAbsDiff(input.grad!, tensor(expGrad.Cast<double>().ToArray(), [b, ch, h, w], float64)) < 1e-12, "backward");
        // The wholly outside box pools nothing.
        Assert.Equal(0.0, output[14].abs().max().item<double>());
    }

    /// <summary>
    /// Without gradients, float32 inputs of up to four channels (the 28x28 mask targets) take a direct C# loop instead of
    /// the tensor formulation: the same brute-force reference and edge boxes, to float32 precision, and the same bits as the
    /// tensor formulation.
    /// </summary>
    [Theory]
    [MemberData(nameof(RandomCases))]
    public void DirectPathWithoutGradientMatchesBruteForce(int samplingRatio, bool aligned, double scale)
    {
        using var scope = NewDisposeScope();
        foreach (int ch in new[] { 1, 4 })
        {
            var gen = new Random(samplingRatio * 11 + (aligned ? 1 : 0) + (int)(scale * 100) + ch);
            int b = 2, h = 9, w = 13;
            var (inputArr, rois) = RandomCase(gen, b, ch, h, w, scale);
            var expected = RoiAlignReference.Forward(inputArr, RoiAlignReference.Contributions(rois, h, w, 5, 4, scale, samplingRatio, aligned));
            var input = tensor(inputArr.Cast<double>().Select(v => (float)v).ToArray(), [b, ch, h, w], float32);
            var roiT = tensor(rois.Cast<double>().Select(v => (float)v).ToArray(), [rois.GetLength(0), 5], float32);
            Assert.True(RoiAlignDirect.Applies(input));
            var output = RoiAlign.Apply(input, roiT, 5, 4, scale, samplingRatio, aligned);
            Assert.Equal(ScalarType.Float32, output.dtype);
            var exp = tensor(expected.Cast<double>().ToArray(), output.shape, float64);
            Assert.True(TestSupport.MaxAbsDiff(output.to(float64), exp) < 2e-5, $"{ch} channels");
            // Bit for bit the tensor formulation's result without gradients: switching paths changes no training run's numbers.
            var viaTensors = RoiAlign.ViaTensors(input, roiT, 5, 4, scale, samplingRatio, aligned);
            Assert.Equal(0.0, TestSupport.MaxAbsDiff(output, viaTensors));
        }
    }

    /// <summary>Random boxes plus the edge cases: partly outside, wholly outside, zero width, zero size, a single pixel.</summary>
    static (double[,,,] input, double[,] rois) RandomCase(Random gen, int b, int ch, int h, int w, double scale)
    {
        var inputArr = new double[b, ch, h, w];
        for (int i = 0; i < b; i++) for (int c = 0; c < ch; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) inputArr[i, c, y, x] = gen.NextDouble() * 2 - 1;
        double W = w / scale, H = h / scale;
        var roiList = new List<double[]>();
        for (int r = 0; r < 12; r++)
        {
            double x1 = gen.NextDouble() * W, y1 = gen.NextDouble() * H;
            roiList.Add([r % 2, x1, y1, x1 + gen.NextDouble() * W / 2, y1 + gen.NextDouble() * H / 2]);
        }
        roiList.Add([0, -5 / scale, -3 / scale, 4 / scale, 6 / scale]);            // partly outside (top-left)
        roiList.Add([1, W - 2 / scale, H - 2 / scale, W + 7 / scale, H + 9 / scale]); // partly outside (bottom-right)
        roiList.Add([0, W + 10 / scale, H + 10 / scale, W + 20 / scale, H + 20 / scale]); // wholly outside
        roiList.Add([1, 3 / scale, 2 / scale, 3 / scale, 7 / scale]);              // zero width
        roiList.Add([0, 4 / scale, 4 / scale, 4 / scale, 4 / scale]);              // zero size
        roiList.Add([1, 2 / scale, 2 / scale, 3 / scale, 3 / scale]);              // one pixel
        var rois = new double[roiList.Count, 5];
        for (int r = 0; r < roiList.Count; r++) for (int j = 0; j < 5; j++) rois[r, j] = roiList[r][j];

        return (inputArr, rois);
    }

    [Fact]
    public void EmptyRoisGiveEmptyOutputAndFloat32Works()
    {
        using var scope = NewDisposeScope();
        var input = randn(1, 4, 8, 8);
        var none = RoiAlign.Apply(input, zeros(0, 5), 7, 7, 1, 2, false);
        Assert.Equal([0L, 4, 7, 7], none.shape);
        var one = RoiAlign.Apply(input, tensor(new float[] { 0, 1, 1, 6, 6 }, [1, 5]), 7, 7, 1, 2, true);
        Assert.Equal(ScalarType.Float32, one.dtype);
        Assert.True(one.isfinite().all().item<bool>());
    }

    [Fact]
    public void MultiScaleAssignsLevelsAsFpnAndKeepsBoxOrder()
    {
        using var scope = NewDisposeScope();
        var pooler = new MultiScaleRoiAlign([4, 8, 16, 32], 7, 2);
        // sqrt(area) 224 -> level 4 (index 2); 112 -> 3; 56 -> 2; 448 -> 5; tiny -> clamped to 2; huge -> clamped to 5.
        var boxes = tensor(new float[] { 0, 0, 224, 224, 0, 0, 112, 112, 0, 0, 56, 56, 0, 0, 448, 448, 0, 0, 2, 2, 0, 0, 2000, 2000 }, [6, 4]);
        Assert.Equal(new long[] { 2, 1, 0, 3, 0, 3 }, pooler.Levels(boxes).data<long>().ToArray());

        var feats = new[] { randn(2, 3, 64, 64), randn(2, 3, 32, 32), randn(2, 3, 16, 16), randn(2, 3, 8, 8) };
        var perImage = new List<Tensor> { boxes.narrow(0, 0, 4), boxes.narrow(0, 4, 2) };
        var pooled = pooler.Apply(feats, perImage);
        Assert.Equal([6L, 3, 7, 7], pooled.shape);
        // Row 3 (image 0, level index 3) equals RoIAlign on P5 directly.
        var direct = RoiAlign.Apply(feats[3], tensor(new float[] { 0, 0, 0, 448, 448 }, [1, 5]), 7, 7, 1.0 / 32, 2, false);
        Assert.True(TestSupport.MaxAbsDiff(pooled[3], direct[0]) < 1e-6);
        var direct5 = RoiAlign.Apply(feats[0], tensor(new float[] { 1, 0, 0, 2, 2 }, [1, 5]), 7, 7, 1.0 / 4, 2, false);
        Assert.True(TestSupport.MaxAbsDiff(pooled[4], direct5[0]) < 1e-6);
    }
}
