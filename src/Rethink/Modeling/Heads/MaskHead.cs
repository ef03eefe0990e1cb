using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Heads;

/// <summary>Mask R-CNN's mask head: four 3x3 convs (with the chosen norm), a 2x deconvolution, per-class logits.</summary>
public sealed class MaskHead : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Sequential convs;
    readonly TorchSharp.Modules.ConvTranspose2d deconv;
    readonly TorchSharp.Modules.Conv2d mask_fcn_logits;

    public MaskHead(int inChannels, int numClasses, NormKind norm, int gnGroups = 32, int dim = 256, int numConvs = 4) : base(nameof(MaskHead))
    {
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < numConvs; i++) list.Add(($"mask_fcn{i + 1}", new ConvNorm(i == 0 ? inChannels : dim, dim, 3, 1, norm, gnGroups)));
        convs = nn.Sequential(list);
        deconv = nn.ConvTranspose2d(dim, dim, 2, 2);
        mask_fcn_logits = nn.Conv2d(dim, numClasses, 1);
        RegisterComponents();
        Init.MsraAll(convs);
        foreach (var p in deconv.named_parameters())
            if (p.name == "weight") Init.MsraFill(p.parameter); else Init.Zero(p.parameter);
        foreach (var p in mask_fcn_logits.named_parameters())
            if (p.name == "weight") Init.Normal(p.parameter, 0.001); else Init.Zero(p.parameter);
    }

    /// <summary>(R, C, 14, 14) pooled features to (R, classes, 28, 28) logits.</summary>
    public override Tensor forward(Tensor x) =>
        MixedPrecision.ToFloat32(MixedPrecision.Conv2d(mask_fcn_logits, MixedPrecision.ConvTranspose2d(deconv, convs.forward(x)).relu_()));
}

/// <summary>
/// The keypoint head of Mask R-CNN's keypoint experiment: eight 3x3 convs of 512, a 2x deconvolution to one heatmap
/// per keypoint, and a 2x bilinear upsampling (14x14 pooled features to 56x56 heatmaps).
/// </summary>
public sealed class KeypointHead : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Sequential convs;
    readonly TorchSharp.Modules.ConvTranspose2d kps_score_lowres;

    public KeypointHead(int inChannels, int numKeypoints, NormKind norm = NormKind.None, int gnGroups = 32, int dim = 512, int numConvs = 8)
        : base(nameof(KeypointHead))
    {
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < numConvs; i++) list.Add(($"conv_fcn{i + 1}", new ConvNorm(i == 0 ? inChannels : dim, dim, 3, 1, norm, gnGroups)));
        convs = nn.Sequential(list);
        kps_score_lowres = nn.ConvTranspose2d(dim, numKeypoints, 4, 2, 1);
        RegisterComponents();
        Init.MsraAll(convs);
        foreach (var p in kps_score_lowres.named_parameters())
            if (p.name == "weight") Init.MsraFill(p.parameter); else Init.Zero(p.parameter);
    }

    public override Tensor forward(Tensor x)
    {
        var low = MixedPrecision.ToFloat32(MixedPrecision.ConvTranspose2d(kps_score_lowres, convs.forward(x)));
        return nn.functional.interpolate(low, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
