using Rethink.Modeling.Heads;
using Rethink.Modeling.Layers;

namespace Rethink.Modeling;

public enum BoxHeadKind
{
    /// <summary>Two fully connected layers (torchvision's and FPN's default).</summary>
    TwoFc,
    /// <summary>Convs with norm then one fully connected layer (the paper's GN head: 4conv1fc).</summary>
    ConvFc,
}

/// <summary>
/// Everything that decides a Mask R-CNN's shape. Immutable; derive variants with <c>with</c>.
/// Defaults are torchvision's maskrcnn_resnet50_fpn (FrozenBN, 2fc head, 91 classes).
/// </summary>
public sealed record MaskRcnnConfig
{
    /// <summary>"resnet18" ... "resnext101_32x8d", or "vgg16".</summary>
    public string Backbone { get; init; } = "resnet50";
    /// <summary>Overrides the blocks per stage of the named ResNet (e.g. [1,1,1,1] for tiny models).</summary>
    public int[]? Blocks { get; init; }
    public double Width { get; init; } = 1.0;
    public bool StemPool { get; init; } = true;
    public NormKind Norm { get; init; } = NormKind.FrozenBN;
    /// <summary>
    /// Norm of FPN and heads; null follows the paper: GN and SyncBN models normalize FPN and heads too, while FrozenBN and
    /// per-device BN models keep them plain (torchvision's and Detectron's defaults).
    /// </summary>
    public NormKind? HeadNorm { get; init; }
    public int GnGroups { get; init; } = 32;
    /// <summary>Detectron's FREEZE_AT: 0 trains everything (from scratch), 2 freezes stem and res2.</summary>
    public int FreezeAt { get; init; } = 2;
    /// <summary>Classes including background (COCO: 91 ids as torchvision counts them, or 81 contiguous).</summary>
    public int NumClasses { get; init; } = 91;
    public int FpnChannels { get; init; } = 256;
    public BoxHeadKind BoxHead { get; init; } = BoxHeadKind.TwoFc;
    public int BoxHeadConvs { get; init; } = 4;
    public int BoxHeadConvDim { get; init; } = 256;
    public int BoxHeadDim { get; init; } = 1024;
    public bool Masks { get; init; } = true;
    public int MaskHeadConvs { get; init; } = 4;
    public int MaskHeadDim { get; init; } = 256;
    public bool Keypoints { get; init; }
    public int NumKeypoints { get; init; } = 17;
    public RpnConfig Rpn { get; init; } = new();
    public RoiHeadsConfig RoiHeads { get; init; } = new();
    /// <summary>Per-channel mean and std of input pixels in [0, 1] (ImageNet's, as torchvision uses).</summary>
    public IReadOnlyList<double> PixelMean { get; init; } = [0.485, 0.456, 0.406];
    public IReadOnlyList<double> PixelStd { get; init; } = [0.229, 0.224, 0.225];

    public NormKind EffectiveHeadNorm => HeadNorm ?? (Norm is NormKind.GN or NormKind.SyncBN ? Norm : NormKind.None);
}
