using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling;

/// <summary>
/// A backbone with global average pooling and a linear classifier: the pre-training model. Its "body.*" weights are
/// the detector's "backbone.body.*" (see <see cref="Transfer"/>).
/// </summary>
public sealed class ImageClassifier : nn.Module<Tensor, Tensor>
{
    readonly Backbone body;
    readonly TorchSharp.Modules.Linear fc;

    public ImageClassifier(Backbone body, int numClasses, IReadOnlyList<double>? pixelMean = null, IReadOnlyList<double>? pixelStd = null)
        : base(nameof(ImageClassifier))
    {
        this.body = body;
        fc = nn.Linear(body.OutChannels[^1], numClasses);
        var mean = pixelMean ?? [0.485, 0.456, 0.406];
        var std = pixelStd ?? [0.229, 0.224, 0.225];
        register_buffer("pixel_mean", tensor(mean.Select(v => (float)v).ToArray()).view(1, 3, 1, 1), persistent: false);
        register_buffer("pixel_std", tensor(std.Select(v => (float)v).ToArray()).view(1, 3, 1, 1), persistent: false);
        RegisterComponents();
        foreach (var (name, p) in fc.named_parameters())
            if (name == "weight") Init.Normal(p, 0.01); else Init.Zero(p);
    }

    public Backbone Body => body;
    public int NumClasses => (int)fc.parameters().First().shape[0];

    /// <summary>Images in [0, 1], (B, 3, H, W), to class logits.</summary>
    public override Tensor forward(Tensor images)
    {
        var x = (images - get_buffer("pixel_mean")!) / get_buffer("pixel_std")!;
        var c5 = body.forward(x)[^1];
        return MixedPrecision.ToFloat32(MixedPrecision.Linear(fc, c5.mean([2, 3])));
    }

    /// <summary>
    /// Copies the classifier's backbone into a detector's backbone (the fine-tuning initialisation). Norm statistics and
    /// affine terms come along; with a FrozenBN detector they become its frozen statistics.
    /// Returns the number of tensors copied.
    /// </summary>
    public static int Transfer(ImageClassifier source, MaskRcnn target)
    {
        var src = source.Body.state_dict();
        var dst = target.BackboneWithFpn.Body.state_dict();
        int copied = 0;
        using var _ = no_grad();
        foreach (var (name, t) in dst)
        {
            if (!src.TryGetValue(name, out var s)) continue;
            if (!s.shape.SequenceEqual(t.shape))
                throw new InvalidOperationException($"backbone tensor '{name}' is ({string.Join(", ", s.shape)}) in the pre-trained model but ({string.Join(", ", t.shape)}) in the detector");
            t.copy_(s);
            copied++;
        }
        if (copied == 0) throw new InvalidOperationException("no backbone tensor of the pre-trained model matches the detector's (different backbones?)");
        return copied;
    }
}
