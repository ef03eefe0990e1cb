using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>Conv, then the chosen norm, then optionally ReLU: the unit every GN head and FPN layer is built from.</summary>
public sealed class ConvNorm : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly nn.Module<Tensor, Tensor> norm;
    readonly bool relu;

    public ConvNorm(long inChannels, long outChannels, long kernel, long stride, NormKind normKind, int gnGroups = 32,
        bool relu = true, long groups = 1, long? padding = null) : base(nameof(ConvNorm))
    {
        bool hasBias = Norms.ConvNeedsBias(normKind);
        conv = kernel == 1
            ? new PointwiseConv(inChannels, outChannels, stride, hasBias)
            : nn.Conv2d(inChannels, outChannels, kernel, stride, padding ?? kernel / 2, groups: groups, bias: hasBias);
        norm = Norms.Create(normKind, outChannels, gnGroups);
        this.relu = relu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = norm.forward(conv is TorchSharp.Modules.Conv2d c ? MixedPrecision.Conv2d(c, x) : conv.forward(x));
        return relu ? y.relu_() : y;
    }
}
