using Rethink.Modeling.Backbones;
using Rethink.Modeling.Heads;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling;

/// <summary>
/// Mask R-CNN (and Faster R-CNN / Keypoint R-CNN by switching heads): backbone + FPN, RPN, RoI heads.
/// Input pixels are RGB in [0, 1]; the model normalizes them. Boxes, masks and keypoints are in each image's pixels.
/// </summary>
public sealed class MaskRcnn : nn.Module
{
    readonly BackboneWithFpn backbone;
    readonly Rpn rpn;
    readonly RoiHeads roi_heads;

    public MaskRcnn(MaskRcnnConfig config) : base(nameof(MaskRcnn))
    {
        Config = config;
        Backbone body = config.Backbone.Equals("vgg16", StringComparison.OrdinalIgnoreCase)
            ? new Vgg(config.Width, config.Norm, config.GnGroups)
            : new ResNet(ResNetSpec.Parse(config.Backbone) with
            {
                Blocks = config.Blocks ?? ResNetSpec.Parse(config.Backbone).Blocks,
                WidthMultiplier = config.Width,
                StemPool = config.StemPool,
            }, config.Norm, config.GnGroups);
        var headNorm = config.EffectiveHeadNorm;
        backbone = new BackboneWithFpn(body, new Fpn(body.OutChannels, config.FpnChannels, headNorm, config.GnGroups));
        var pyramidStrides = backbone.Strides;
        rpn = new Rpn(config.Rpn, config.FpnChannels, pyramidStrides);
        var roiStrides = pyramidStrides.Take(4).ToArray();
        int pool = config.RoiHeads.BoxPoolSize;
        BoxHead boxHead = config.BoxHead == BoxHeadKind.TwoFc
            ? new TwoFcHead(config.FpnChannels, pool, config.BoxHeadDim)
            : new ConvFcHead(config.FpnChannels, pool, headNorm, config.GnGroups, config.BoxHeadConvs, config.BoxHeadConvDim, config.BoxHeadDim);
        roi_heads = new RoiHeads(config.RoiHeads, roiStrides, boxHead, new BoxPredictor(boxHead.OutFeatures, config.NumClasses),
            config.NumClasses,
            config.Masks ? new MaskHead(config.FpnChannels, config.NumClasses, headNorm, config.GnGroups, config.MaskHeadDim, config.MaskHeadConvs) : null,
            config.Keypoints ? new KeypointHead(config.FpnChannels, config.NumKeypoints) : null);
        register_buffer("pixel_mean", tensor(config.PixelMean.Select(v => (float)v).ToArray()).view(1, 3, 1, 1), persistent: false);
        register_buffer("pixel_std", tensor(config.PixelStd.Select(v => (float)v).ToArray()).view(1, 3, 1, 1), persistent: false);
        RegisterComponents();
        body.Freeze(config.FreezeAt);
    }

    public MaskRcnnConfig Config { get; }
    public BackboneWithFpn BackboneWithFpn => backbone;
    public Rpn Rpn => rpn;
    public RoiHeads RoiHeads => roi_heads;

    /// <summary>
    /// The 16-bit type (BFloat16 or Float16) its convolutions and linear layers compute in during <see cref="Losses"/> and
    /// <see cref="Detect"/>; null (the default) computes everything in fp32. See <see cref="MixedPrecision"/>.
    /// </summary>
    public ScalarType? ComputePrecision
    {
        get => computePrecision;
        set
        {
            MixedPrecision.Validate(value);
            computePrecision = value;
        }
    }
    ScalarType? computePrecision;

    IDisposable? PrecisionScope() => computePrecision is { } t ? MixedPrecision.Lower(t) : null;

    /// <summary>The training losses by name (loss_objectness, loss_rpn_box_reg, loss_classifier, loss_box_reg, loss_mask, loss_keypoint).</summary>
    public Dictionary<string, Tensor> Losses(ImageBatch images, IReadOnlyList<DetectionTarget> targets)
    {
        if (!training) throw new InvalidOperationException("Losses needs training mode: call model.train() first.");
        if (targets.Count != images.Count) throw new ArgumentException($"{targets.Count} targets for {images.Count} images");
        for (int i = 0; i < targets.Count; i++) Validate(targets[i], i);
        using var precision = PrecisionScope();
        Tensor[] features;
        using (StepProfiler.Measure("backbone+fpn")) features = backbone.forward(Normalize(images));
        List<Tensor> proposals;
        Dictionary<string, Tensor> rpnLosses, losses;
        using (StepProfiler.Measure("rpn")) (proposals, rpnLosses) = rpn.Forward(images, features, targets);
        using (StepProfiler.Measure("roi")) losses = roi_heads.Losses(features.Take(4).ToArray(), proposals, images, targets);
        foreach (var (k, v) in rpnLosses) losses[k] = v;
        return losses;
    }

    /// <summary>
    /// Detections for each image (in evaluation mode, without gradients; the mode is restored after), in the batch's
    /// image coordinates, or rescaled to <paramref name="outputSizes"/> (e.g. the original sizes of resized images).
    /// </summary>
    public List<Detections> Detect(ImageBatch images, IReadOnlyList<(int Height, int Width)>? outputSizes = null)
    {
        bool wasTraining = training;
        if (wasTraining) eval();
        try
        {
            using var _ = no_grad();
            using var precision = PrecisionScope();
            using var scope = NewDisposeScope();
            var features = backbone.forward(Normalize(images));
            var (proposals, _) = rpn.Forward(images, features, null);
            var detections = roi_heads.Detect(features.Take(4).ToArray(), proposals, images, outputSizes);
            foreach (var d in detections)
            {
                d.Boxes.MoveToOuterDisposeScope(); d.Scores.MoveToOuterDisposeScope(); d.Labels.MoveToOuterDisposeScope();
                d.Masks?.MoveToOuterDisposeScope(); d.Keypoints?.MoveToOuterDisposeScope();
            }
            return detections;
        }
        finally
        {
            if (wasTraining) train();
        }
    }

    Tensor Normalize(ImageBatch images)
    {
        var x = (images.Tensor - get_buffer("pixel_mean")!) / get_buffer("pixel_std")!;
        if (images.Sizes.All(s => s.Height == images.Tensor.shape[2] && s.Width == images.Tensor.shape[3])) return x;
        // Padding stays zero after normalization, as torchvision and Detectron pad normalized images.
        var mask = zeros(images.Count, 1, images.Tensor.shape[2], images.Tensor.shape[3], dtype: x.dtype, device: x.device);
        for (int i = 0; i < images.Count; i++)
            mask[i, TensorIndex.Colon, TensorIndex.Slice(0, images.Sizes[i].Height), TensorIndex.Slice(0, images.Sizes[i].Width)] = 1;
        return x * mask;
    }

    void Validate(DetectionTarget t, int i)
    {
        if (t.Boxes.dim() != 2 || t.Boxes.shape[1] != 4) throw new ArgumentException($"target {i}: boxes must be (n, 4)");
        long n = t.Boxes.shape[0];
        if (t.Labels.shape[0] != n) throw new ArgumentException($"target {i}: {t.Labels.shape[0]} labels for {n} boxes");
        if (Config.Masks && t.Masks is null) throw new ArgumentException($"target {i}: the model has a mask head but the target has no masks");
        if (t.Masks is not null && t.Masks.shape[0] != n) throw new ArgumentException($"target {i}: {t.Masks.shape[0]} masks for {n} boxes");
        if (Config.Keypoints && t.Keypoints is null) throw new ArgumentException($"target {i}: the model has a keypoint head but the target has no keypoints");
    }
}
