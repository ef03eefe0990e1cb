using Rethink.Modeling;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

/// <summary>Mixed precision (bf16 convolutions and linear layers, fp32 everywhere else): complete, close, and trainable.</summary>
public class MixedPrecisionTests
{
    public MixedPrecisionTests() => TestSupport.Init();

    /// <summary>
    /// Every convolution and linear layer of the detector goes through <see cref="MixedPrecision"/> in a bf16 scope:
    /// with their weights stored in bf16, an fp32 computation anywhere (a layer called the plain way) would fail on the
    /// dtype mismatch, so training and inference both running proves none is missed. Outside the scope it does fail.
    /// </summary>
    [Theory]
    [InlineData("maskrcnn-tiny-fpn", NormKind.GN, false)]
    [InlineData("maskrcnn-tiny-fpn", NormKind.BN, true)]
    [InlineData("maskrcnn-tiny-fpn", NormKind.FrozenBN, false)]
    public void EveryConvolutionAndLinearLayerComputesInTheScopesType(string arch, NormKind norm, bool keypoints)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = ModelZoo.Config(arch, norm, 3) with { Keypoints = keypoints };
        using var model = new MaskRcnn(config);
        foreach (var (_, m) in model.named_modules())
            if (m is TorchSharp.Modules.Conv2d or TorchSharp.Modules.ConvTranspose2d or TorchSharp.Modules.Linear or PointwiseConv)
                m.to(ScalarType.BFloat16);
        var (images, targets) = MaskRcnnTests.Scenes(2, 96, 3, keypoints);
        model.train();

        using (MixedPrecision.Lower(ScalarType.BFloat16))
        {
            var losses = model.Losses(ImageBatch.FromImages(images), targets);
            foreach (var (name, loss) in losses)
            {
                Assert.Equal(ScalarType.Float32, loss.dtype);
                Assert.True(loss.isfinite().item<bool>(), $"{name} is not finite");
            }
            losses.Values.Aggregate((a, b) => a + b).backward();
            var detections = model.Detect(ImageBatch.FromImages(images));
            Assert.Equal(2, detections.Count);
            Assert.All(detections, d => Assert.Equal(ScalarType.Float32, d.Boxes.dtype));
        }
        Assert.ThrowsAny<Exception>(() => model.Losses(ImageBatch.FromImages(images), targets));
    }

    /// <summary>A model whose ComputePrecision is bf16 trains in its own scope: fp32 weights get fp32 gradients, all finite.</summary>
    [Theory]
    [InlineData("resnet50", NormKind.BN)]
    [InlineData("resnet50", NormKind.GN)]
    [InlineData("resnext50_32x4d", NormKind.SyncBN)]
    [InlineData("resnet18", NormKind.FrozenBN)]
    [InlineData("vgg16", NormKind.None)]
    public void EveryTrainableParameterGetsAFiniteFp32GradientInBf16(string backbone, NormKind norm)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = ModelZoo.Config("maskrcnn-tiny-fpn", norm, 3) with { Backbone = backbone, Blocks = null, FreezeAt = 0 };
        using var model = new MaskRcnn(config) { ComputePrecision = ScalarType.BFloat16 };
        var (images, targets) = MaskRcnnTests.Scenes(2, 64, 5);
        model.train();
        var losses = model.Losses(ImageBatch.FromImages(images), targets);
        losses.Values.Aggregate((a, b) => a + b).backward();
        Assert.Null(MixedPrecision.Current); // the model's scope ended with the call
        foreach (var (name, p) in model.named_parameters().Where(p => p.parameter.requires_grad))
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            if (name.Contains("keypoint")) continue;
            Assert.True(p.grad is not null, $"{name} got no gradient");
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            Assert.True(p.grad.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }

    /// <summary>One layer of each kind: bf16 results within bf16's precision of fp32 (relative error under 2%).</summary>
    [Fact]
    public void LayersAgreeWithFp32WithinBf16Precision()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var conv = nn.Conv2d(16, 32, 3, 1, 1);
        var deconv = nn.ConvTranspose2d(16, 8, 2, 2);
        var fc = nn.Linear(64, 10);
        var pointwise = new PointwiseConv(16, 24, 2, hasBias: true);
        var x = randn(2, 16, 12, 12);
        var v = randn(5, 64);
        var full = new[] { conv.forward(x), deconv.forward(x), fc.forward(v), pointwise.forward(x) };
        Tensor[] low;
        using (MixedPrecision.Lower(ScalarType.BFloat16))
            low = [MixedPrecision.Conv2d(conv, x), MixedPrecision.ConvTranspose2d(deconv, x), MixedPrecision.Linear(fc, v), pointwise.forward(x)];
        for (int i = 0; i < full.Length; i++)
        {
            Assert.Equal(ScalarType.BFloat16, low[i].dtype);
            Assert.Equal(full[i].shape, low[i].shape);
            double error = (low[i].to(float32) - full[i]).norm().item<float>() / full[i].norm().item<float>();
            Assert.True(error < 0.02, $"layer {i}: relative error {error:F4}");
        }
        // Outside a scope the layers are the modules' own fp32 forward, bit for bit.
        Assert.Equal(0.0, TestSupport.MaxAbsDiff(MixedPrecision.Conv2d(conv, x), full[0]));
        Assert.Equal(0.0, TestSupport.MaxAbsDiff(MixedPrecision.Linear(fc, v), full[2]));
    }

    /// <summary>The multiply-accumulates each layer reports, by hand, in fp32 and in bf16 alike; nested counters both see them.</summary>
    [Fact]
    public void MacCounterCountsEachLayerKindAsItsArithmetic()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(16, 32, 3, 1, 1);
        var grouped = nn.Conv2d(16, 32, 3, 2, 1, groups: 4);
        var deconv = nn.ConvTranspose2d(16, 8, 2, 2);
        var fc = nn.Linear(64, 10);
        var pointwise = new PointwiseConv(16, 24, 2);
        var x = randn(2, 16, 12, 12);
        long expected = 2L * 32 * 12 * 12 * 16 * 9    // conv: every output value sums 16 x 3 x 3 products
                      + 2L * 32 * 6 * 6 * 4 * 9        // grouped, stride 2: 16 / 4 input channels per output
                      + 2L * 16 * 12 * 12 * 8 * 4      // deconv: every input value meets 8 x 2 x 2 weights
                      + 5L * 64 * 10                   // linear
                      + 2L * 24 * 6 * 6 * 16;          // 1x1, stride 2
        foreach (ScalarType? type in new ScalarType?[] { null, ScalarType.BFloat16 })
        {
            using var outer = MacCounter.Start();
            using (MixedPrecision.Lower(type))
            using (var inner = MacCounter.Start())
            {
                MixedPrecision.Conv2d(conv, x);
                MixedPrecision.Conv2d(grouped, x);
                MixedPrecision.ConvTranspose2d(deconv, x);
                MixedPrecision.Linear(fc, randn(5, 64));
                pointwise.forward(x);
                Assert.Equal(expected, inner.Macs);
            }
            MixedPrecision.Linear(fc, randn(1, 64));
            Assert.Equal(expected + 640, outer.Macs);
        }
        MixedPrecision.Linear(fc, randn(1, 64)); // no counter started: nothing to count into
    }

    [Fact]
    public void PrecisionNamesParseAndBadOnesSayWhatIsAccepted()
    {
        Assert.Null(MixedPrecision.Parse(null));
        Assert.Null(MixedPrecision.Parse("fp32"));
        Assert.Equal(ScalarType.BFloat16, MixedPrecision.Parse("BF16"));
        Assert.Equal(ScalarType.Float16, MixedPrecision.Parse("fp16"));
        Assert.Null(MixedPrecision.ConfigName("fp32"));
        Assert.Equal("bf16", MixedPrecision.ConfigName("bfloat16"));
        var e = Assert.Throws<ArgumentException>(() => MixedPrecision.Parse("int8"));
        Assert.Contains("fp32, bf16 or fp16", e.Message);
        Assert.Throws<ArgumentException>(() => MixedPrecision.Lower(ScalarType.Float64));
        using var model = new MaskRcnn(ModelZoo.Config("maskrcnn-tiny-fpn", NormKind.GN, 3));
        Assert.Throws<ArgumentException>(() => model.ComputePrecision = ScalarType.Int8);
    }
}
