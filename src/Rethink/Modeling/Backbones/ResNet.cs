using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Backbones;

/// <summary>The shape of a ResNet or ResNeXt: blocks per stage, block type, groups and width.</summary>
/// <param name="WidthMultiplier">Scales every channel count, so tiny CPU models are the same code.</param>
/// <param name="StemPool">The 3x3 max-pool after the stem; tiny models on small images may drop it.</param>
public sealed record ResNetSpec(string Name, int[] Blocks, bool Bottleneck, int Groups = 1, int WidthPerGroup = 64,
    double WidthMultiplier = 1.0, bool StemPool = true)
{
    public static ResNetSpec ResNet18 { get; } = new("resnet18", [2, 2, 2, 2], false);
    /// <summary>
    /// The ResNet-18 of Microsoft's CNTK model zoo (the ImageNet weights of NuGet's Microsoft.ML.DnnImageFeaturizer.ResNet18,
    /// imported by data-prep's ImageNet importer): basic blocks, but three in the last stage. Module names stay torchvision's
    /// (layer4.2 is the extra block).
    /// </summary>
    public static ResNetSpec ResNet18Cntk { get; } = new("resnet18-cntk", [2, 2, 2, 3], false);
    public static ResNetSpec ResNet34 { get; } = new("resnet34", [3, 4, 6, 3], false);
    public static ResNetSpec ResNet50 { get; } = new("resnet50", [3, 4, 6, 3], true);
    public static ResNetSpec ResNet101 { get; } = new("resnet101", [3, 4, 23, 3], true);
    public static ResNetSpec ResNet152 { get; } = new("resnet152", [3, 8, 36, 3], true);
    public static ResNetSpec ResNeXt50_32x4d { get; } = new("resnext50_32x4d", [3, 4, 6, 3], true, 32, 4);
    public static ResNetSpec ResNeXt101_32x4d { get; } = new("resnext101_32x4d", [3, 4, 23, 3], true, 32, 4);
    public static ResNetSpec ResNeXt101_32x8d { get; } = new("resnext101_32x8d", [3, 4, 23, 3], true, 32, 8);

    public static IReadOnlyList<ResNetSpec> All { get; } =
        [ResNet18, ResNet18Cntk, ResNet34, ResNet50, ResNet101, ResNet152, ResNeXt50_32x4d, ResNeXt101_32x4d, ResNeXt101_32x8d];

    public static ResNetSpec Parse(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown ResNet '{name}': use one of {string.Join(", ", All.Select(s => s.Name))}");

    public int Expansion => Bottleneck ? 4 : 1;
    public int Scaled(int channels) => Math.Max(1, (int)Math.Round(channels * WidthMultiplier));
    public int StemChannels => Scaled(64);
    /// <summary>Output channels of residual stage i (0 = res2).</summary>
    public int StageChannels(int i) => Scaled(64 << i) * Expansion;
    /// <summary>Inner (3x3) width of a bottleneck in stage i; a multiple of the group count.</summary>
    public int InnerWidth(int i)
    {
        int w = Scaled((64 << i) * WidthPerGroup / 64 * Groups);
        return Math.Max(Groups, w / Groups * Groups);
    }
}

/// <summary>
/// ResNet / ResNeXt (torchvision's v1.5: stride on the 3x3 conv) with any norm from the factory.
/// Module names follow torchvision (conv1, bn1, layer1.0.conv1, ..., layer1.0.downsample.0) so its weights map 1:1.
/// </summary>
public sealed class ResNet : Backbone
{
    readonly TorchSharp.Modules.Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly TorchSharp.Modules.Sequential layer1, layer2, layer3, layer4;
    readonly bool stemPool;
    readonly int[] outChannels;

    public ResNet(ResNetSpec spec, NormKind norm, int gnGroups = 32) : base(spec.Name)
    {
        Spec = spec;
        Norm = norm;
        stemPool = spec.StemPool;
        int stem = spec.StemChannels;
        conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias: Norms.ConvNeedsBias(norm));
        bn1 = Norms.Create(norm, stem, gnGroups);
        int inCh = stem;
        var layers = new TorchSharp.Modules.Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < spec.Blocks[i]; b++)
            {
                int stride = b == 0 && i > 0 ? 2 : 1;
                int outCh = spec.StageChannels(i);
                nn.Module<Tensor, Tensor> block = spec.Bottleneck
                    ? new BottleneckBlock(inCh, spec.InnerWidth(i), outCh, stride, spec.Groups, norm, gnGroups)
                    : new BasicBlock(inCh, outCh, stride, norm, gnGroups);
                blocks.Add((b.ToString(), block));
                inCh = outCh;
            }
            layers[i] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        outChannels = Enumerable.Range(0, 4).Select(spec.StageChannels).ToArray();
        RegisterComponents();
        Init.MsraAll(this);
    }

    public ResNetSpec Spec { get; }
    public NormKind Norm { get; }
    public override IReadOnlyList<int> OutChannels => outChannels;
    public override IReadOnlyList<int> Strides => stemPool ? [4, 8, 16, 32] : [2, 4, 8, 16];
    public override int StageCount => 5;

    protected override IEnumerable<nn.Module> Stage(int index) => index switch
    {
        0 => [conv1, bn1],
        1 => [layer1],
        2 => [layer2],
        3 => [layer3],
        4 => [layer4],
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public override Tensor[] forward(Tensor x)
    {
        var y = bn1.forward(MixedPrecision.Conv2d(conv1, x)).relu_();
        if (stemPool) y = nn.functional.max_pool2d(y, 3, 2, 1);
        var c2 = layer1.forward(y);
        var c3 = layer2.forward(c2);
        var c4 = layer3.forward(c3);
        var c5 = layer4.forward(c4);
        return [c2, c3, c4, c5];
    }
}

/// <summary>Two 3x3 convs with a shortcut (ResNet-18/34).</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Conv2d conv1, conv2;
    readonly nn.Module<Tensor, Tensor> bn1, bn2;
    readonly TorchSharp.Modules.Sequential? downsample;

    public BasicBlock(int inCh, int outCh, int stride, NormKind norm, int gnGroups) : base(nameof(BasicBlock))
    {
        bool bias = Norms.ConvNeedsBias(norm);
        conv1 = nn.Conv2d(inCh, outCh, 3, stride, 1, bias: bias);
        bn1 = Norms.Create(norm, outCh, gnGroups);
        conv2 = nn.Conv2d(outCh, outCh, 3, 1, 1, bias: bias);
        bn2 = Norms.Create(norm, outCh, gnGroups);
        if (stride != 1 || inCh != outCh)
            downsample = nn.Sequential(("0", new PointwiseConv(inCh, outCh, stride, bias)), ("1", Norms.Create(norm, outCh, gnGroups)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn1.forward(MixedPrecision.Conv2d(conv1, x)).relu_();
        y = bn2.forward(MixedPrecision.Conv2d(conv2, y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return MixedPrecision.AddInPlace(y, shortcut).relu_();
    }
}

/// <summary>1x1 reduce, 3x3 (grouped for ResNeXt, carrying the stride), 1x1 expand, with a shortcut.</summary>
public sealed class BottleneckBlock : nn.Module<Tensor, Tensor>
{
    readonly PointwiseConv conv1, conv3;
    readonly TorchSharp.Modules.Conv2d conv2;
    readonly nn.Module<Tensor, Tensor> bn1, bn2, bn3;
    readonly TorchSharp.Modules.Sequential? downsample;

    public BottleneckBlock(int inCh, int width, int outCh, int stride, int groups, NormKind norm, int gnGroups) : base(nameof(BottleneckBlock))
    {
        bool bias = Norms.ConvNeedsBias(norm);
        conv1 = new PointwiseConv(inCh, width, 1, bias);
        bn1 = Norms.Create(norm, width, gnGroups);
        conv2 = nn.Conv2d(width, width, 3, stride, 1, groups: groups, bias: bias);
        bn2 = Norms.Create(norm, width, gnGroups);
        conv3 = new PointwiseConv(width, outCh, 1, bias);
        bn3 = Norms.Create(norm, outCh, gnGroups);
        if (stride != 1 || inCh != outCh)
            downsample = nn.Sequential(("0", new PointwiseConv(inCh, outCh, stride, bias)), ("1", Norms.Create(norm, outCh, gnGroups)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn1.forward(conv1.forward(x)).relu_();
        y = bn2.forward(MixedPrecision.Conv2d(conv2, y)).relu_();
        y = bn3.forward(conv3.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return MixedPrecision.AddInPlace(y, shortcut).relu_();
    }
}
