using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// A 1x1 convolution (ResNet's projection shortcut). With stride s > 1 it takes every s-th pixel first and then
/// convolves with stride 1: the same result, but it keeps oneDNN away from its brgemm 1x1 strided backward kernel,
/// which dies with SIGFPE on AVX-512 CPUs for Conv2d(1024, 2048, 1, stride 2) (notes/toolchain.md §2; the test
/// OneDnnRegressionTests runs that case in a child process). Parameter names match nn.Conv2d ("weight", "bias").
/// </summary>
public sealed class PointwiseConv : nn.Module<Tensor, Tensor>
{
    readonly long stride;
    public TorchSharp.Modules.Parameter weight;
    public TorchSharp.Modules.Parameter? bias;

    public PointwiseConv(long inChannels, long outChannels, long stride = 1, bool hasBias = false) : base(nameof(PointwiseConv))
    {
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride));
        this.stride = stride;
        weight = new TorchSharp.Modules.Parameter(empty(outChannels, inChannels, 1, 1));
        bias = hasBias ? new TorchSharp.Modules.Parameter(zeros(outChannels)) : null;
        RegisterComponents();
        Init.MsraFill(weight);
    }

    public long Stride => stride;

    public override Tensor forward(Tensor x)
    {
        if (stride == 1) return Convolve(x);
        using var sliced = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
        return Convolve(sliced);
    }

    static readonly long[] Ones = [1, 1], Zeros = [0, 0];

    Tensor Convolve(Tensor x)
    {
        if (MixedPrecision.Current is not null) return MixedPrecision.Conv2d(x, weight, bias, Ones, Zeros, Ones, 1);
        var y = nn.functional.conv2d(x, weight, bias);
        MacCounter.Add(y.numel() * weight.shape[1]);
        return y;
    }
}
