using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// nn.BatchNorm2d with the same parameters, buffers, names and arithmetic, except that its training step counter is
/// bumped with a cached Scalar. TorchSharp 0.107's BatchNorm.forward runs <c>num_batches_tracked.add_(1)</c>, two
/// temporary Scalars per layer per training step that a GC on another thread may free mid-op (see <see cref="Scalars"/>).
/// </summary>
public sealed class ScalarSafeBatchNorm2d : TorchSharp.Modules.BatchNorm
{
    public ScalarSafeBatchNorm2d(long channels, double eps = 1e-5, double momentum = 0.1)
        : base(channels, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }

    /// <summary>TorchSharp's BatchNorm.forward, step for step.</summary>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(Scalars.One, Scalars.One);
            factor = momentum ?? 1.0 / num_batches_tracked.item<long>();
        }
        bool useBatchStats = training || (running_mean is null && running_var is null);
        bool useRunning = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? running_mean : null, useRunning ? running_var : null,
            weight, bias, useBatchStats, factor, eps);
    }
}
