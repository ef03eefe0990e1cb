using Rethink.Modeling;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

/// <summary>timm's test, for every registered backbone and every norm: forward, backward, a finite gradient on every
/// trainable parameter, no NaN. Narrow widths keep the big models CPU-sized; the code is the same.</summary>
public class ModelTests
{
    public ModelTests() => TestSupport.Init();

    public static IEnumerable<object[]> BackbonesAndNorms() =>
        from backbone in ResNetSpec.All.Select(s => s.Name).Append("vgg16")
        from norm in Enum.GetValues<NormKind>()
        select new object[] { backbone, norm };

    static Backbone Build(string name, NormKind norm) =>
        name == "vgg16" ? new Vgg(0.125, norm) : new ResNet(ResNetSpec.Parse(name) with { WidthMultiplier = 0.125 }, norm, gnGroups: 4);

    [Theory]
    [MemberData(nameof(BackbonesAndNorms))]
    public void BackboneForwardBackwardEveryParameterGetsAFiniteGradient(string name, NormKind norm)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var body = Build(name, norm);
        body.train();
        var features = body.forward(randn(2, 3, 64, 64));
        Assert.Equal(4, features.Length);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(body.OutChannels[i], features[i].shape[1]);
            Assert.Equal(64 / body.Strides[i], features[i].shape[2]);
            Assert.True(features[i].isfinite().all().item<bool>(), $"feature {i} has NaN/Inf");
        }
        features.Select(f => f.mean()).Aggregate((a, b) => a + b).backward();
        var trainable = body.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (norm == NormKind.FrozenBN || norm == NormKind.None) Assert.DoesNotContain(trainable, p => p.name.Contains("bn"));
        Assert.NotEmpty(trainable);
        foreach (var (pname, p) in trainable)
        {
            Assert.True(p.grad is not null, $"{pname} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{pname} has a non-finite gradient");
        }
    }

    [Theory]
    [InlineData(NormKind.FrozenBN, 44_401_393L, 44_178_993L)]
    [InlineData(NormKind.BN, 44_454_513L, 44_454_513L)]
    public void R50FpnParameterCountsEqualTorchvision(NormKind norm, long total, long trainable)
    {
        // torchvision 0.14 maskrcnn_resnet50_fpn(num_classes=91): 44,401,393 with FrozenBN, 44,454,513 with BatchNorm2d.
        var config = ModelZoo.Config("maskrcnn-r50-fpn", norm, 91);
        if (norm == NormKind.BN) config = config with { FreezeAt = 0 };
        using var model = new MaskRcnn(config);
        Assert.Equal(total, ModelSummary.TotalParameters(model));
        Assert.Equal(trainable, ModelSummary.TrainableParameters(model));
    }

    [Fact]
    public void FromScratchFreezesNothingAndFreezeAtTwoFreezesStemAndRes2()
    {
        // Detectron once froze stem and res2 in from-scratch runs and lost 3 AP (36.2 vs 39.5).
        foreach (var norm in new[] { NormKind.GN, NormKind.SyncBN })
        {
            var scratch = ModelZoo.Config("maskrcnn-r50-fpn", norm, 81) with { Width = 0.125, GnGroups = 4 };
            Assert.Equal(0, scratch.FreezeAt);
            using var model = new MaskRcnn(scratch);
            Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        }
        using var body = new ResNet(ResNetSpec.ResNet50 with { WidthMultiplier = 0.125 }, NormKind.GN, 4);
        body.Freeze(2);
        foreach (var (name, p) in body.named_parameters())
        {
            bool frozen = name.StartsWith("conv1") || name.StartsWith("bn1") || name.StartsWith("layer1.");
            Assert.True(p.requires_grad != frozen, $"{name}: requires_grad={p.requires_grad}");
        }
        body.Freeze(0);
        Assert.All(body.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void PointwiseConvWithStrideEqualsConv2dForwardAndBackward()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var pc = new PointwiseConv(16, 32, 2);
        var conv = nn.Conv2d(16, 32, 1, stride: 2, bias: false);
        using (no_grad()) conv.weight!.copy_(pc.weight);
        var x1 = randn(2, 16, 15, 15, requires_grad: true);
        var x2 = x1.detach().clone().requires_grad_(true);
        var y1 = pc.forward(x1);
        var y2 = conv.forward(x2);
        Assert.Equal(0.0, TestSupport.MaxAbsDiff(y1, y2));
        y1.square().sum().backward();
        y2.square().sum().backward();
        Assert.True(TestSupport.MaxAbsDiff(x1.grad!, x2.grad!) < 1e-5);
        Assert.True(TestSupport.MaxAbsDiff(pc.weight.grad!, conv.weight!.grad!) < 1e-3);
    }

    [Fact]
    public void GroupNormGroupsDivideNarrowChannelCounts()
    {
        Assert.Equal(32, Norms.GroupsFor(256, 32));
        Assert.Equal(16, Norms.GroupsFor(16, 32));
        Assert.Equal(24, Norms.GroupsFor(24, 32));
        Assert.Equal(24, Norms.GroupsFor(48, 32));
        Assert.Equal(1, Norms.GroupsFor(7, 4));
        Assert.Equal(NormKind.SyncBN, NormKinds.Parse("SyncBN"));
        Assert.Equal(NormKind.FrozenBN, NormKinds.Parse("frozen-bn"));
        Assert.Throws<ArgumentException>(() => NormKinds.Parse("layernorm"));
    }
}
