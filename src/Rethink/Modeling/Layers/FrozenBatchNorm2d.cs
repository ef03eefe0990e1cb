using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// BatchNorm with fixed statistics and affine terms, all buffers (no parameters), as torchvision and Detectron build it.
/// Written here because TorchVision for .NET's version loses its buffers inside a second DisposeScope.
/// </summary>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    readonly double eps;

    public FrozenBatchNorm2d(long channels, double eps = 1e-5) : base(nameof(FrozenBatchNorm2d))
    {
        this.eps = eps;
        register_buffer("weight", ones(channels));
        register_buffer("bias", zeros(channels));
        register_buffer("running_mean", zeros(channels));
        register_buffer("running_var", ones(channels));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var scale = get_buffer("weight")! * get_buffer("running_var")!.add(Scalars.Of(eps), Scalars.One).rsqrt();
        var shift = get_buffer("bias")! - get_buffer("running_mean")! * scale;
        return (x * scale.view(1, -1, 1, 1)).add(shift.view(1, -1, 1, 1), Scalars.One).MoveToOuterDisposeScope();
    }
}
