using Rethink.Modeling.Backbones;
using Rethink.Modeling.Heads;
using Rethink.Modeling.Layers;

namespace Rethink.Modeling;

/// <summary>
/// Architectures by name ("maskrcnn-r50-fpn", "fasterrcnn-vgg16-fpn", "keypointrcnn-r50-fpn", "maskrcnn-tiny-fpn", ...)
/// and the paper's conventions for each norm: GN and SyncBN models get the 4conv1fc box head and normalized heads,
/// FrozenBN keeps torchvision's 2fc head with plain FPN and heads.
/// </summary>
public static class ModelZoo
{
    static readonly Dictionary<string, string> Backbones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["r18"] = "resnet18", ["r18-cntk"] = "resnet18-cntk", ["r34"] = "resnet34", ["r50"] = "resnet50", ["r101"] = "resnet101", ["r152"] = "resnet152",
        ["x50-32x4d"] = "resnext50_32x4d", ["x101-32x4d"] = "resnext101_32x4d", ["x101-32x8d"] = "resnext101_32x8d",
        ["vgg16"] = "vgg16", ["tiny"] = "resnet18",
    };

    /// <summary>Every registered architecture name.</summary>
    public static IReadOnlyList<string> Names { get; } =
        Backbones.Keys.SelectMany(b => new[] { $"maskrcnn-{b}-fpn", $"fasterrcnn-{b}-fpn" })
            .Append("keypointrcnn-r50-fpn").Append("keypointrcnn-tiny-fpn").ToList();

    /// <summary>The configuration of a named architecture with the given norm and class count.</summary>
    public static MaskRcnnConfig Config(string arch, NormKind norm = NormKind.FrozenBN, int numClasses = 91)
    {
        string a = arch.Trim().ToLowerInvariant();
        string[] parts = a.Split('-');
        if (parts.Length < 3 || parts[^1] != "fpn" || !new[] { "maskrcnn", "fasterrcnn", "keypointrcnn" }.Contains(parts[0]))
            throw new ArgumentException($"unknown architecture '{arch}': use one of {string.Join(", ", Names)}");
        string backboneKey = string.Join('-', parts[1..^1]);
        if (!Backbones.TryGetValue(backboneKey, out var backbone))
            throw new ArgumentException($"unknown backbone '{backboneKey}' in '{arch}': use one of {string.Join(", ", Backbones.Keys)}");
        bool paperHeads = norm is NormKind.GN or NormKind.SyncBN;
        var config = new MaskRcnnConfig
        {
            Backbone = backbone,
            Norm = norm,
            NumClasses = numClasses,
            Masks = parts[0] == "maskrcnn",
            Keypoints = parts[0] == "keypointrcnn",
            BoxHead = paperHeads ? BoxHeadKind.ConvFc : BoxHeadKind.TwoFc,
            FreezeAt = norm == NormKind.FrozenBN ? 2 : 0,
        };
        if (backbone == "vgg16") config = config with { FreezeAt = 0 };
        return backboneKey == "tiny" ? Tiny(config) : config;
    }

    /// <summary>
    /// The CPU-sized model of the tiny study (notes/tiny-scale-calibration.md): ResNet with one basic block per stage
    /// and widths 16-32-64-128, FPN of 64 channels on strides 4-64, anchors 8-128 px, one conv + fc 256 box head,
    /// two-conv mask head, 64 sampled RoIs per image. 128 px images. (A stem without max-pool, i.e. P2 at stride 2,
    /// made each step 1.5x slower, most of it in the FPN's finest 3x3 conv.)
    /// </summary>
    public static MaskRcnnConfig Tiny(MaskRcnnConfig baseConfig) => baseConfig with
    {
        Backbone = "resnet18",
        Blocks = [1, 1, 1, 1],
        Width = 0.25,
        StemPool = true,
        FpnChannels = 64,
        BoxHead = BoxHeadKind.ConvFc,
        BoxHeadConvs = 1,
        BoxHeadConvDim = 64,
        BoxHeadDim = 256,
        MaskHeadConvs = 2,
        MaskHeadDim = 64,
        Rpn = baseConfig.Rpn with
        {
            AnchorSizes = [8, 16, 32, 64, 128],
            PreNmsTopNTrain = 300, PostNmsTopNTrain = 300, PreNmsTopNTest = 300, PostNmsTopNTest = 50,
        },
        RoiHeads = baseConfig.RoiHeads with { BatchPerImage = 64, SamplingRatio = 1 },
    };
}
