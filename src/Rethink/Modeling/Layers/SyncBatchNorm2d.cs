using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Synchronized BatchNorm: statistics over every image of the global batch.
/// On one device the whole batch is already here, so this is BatchNorm over the full batch (what we compute).
/// With several devices, training mode must all-reduce the per-channel sum and sum of squares (and the count) across
/// processes before normalizing, and the backward pass must all-reduce the two gradient sums likewise; TorchSharp has
/// no process group, so a multi-device run is refused rather than silently falling back to per-device statistics.
/// </summary>
public sealed class SyncBatchNorm2d : nn.Module<Tensor, Tensor>
{
    readonly ScalarSafeBatchNorm2d bn;

    public SyncBatchNorm2d(long channels, double eps = 1e-5, double momentum = 0.1) : base(nameof(SyncBatchNorm2d))
    {
        bn = new ScalarSafeBatchNorm2d(channels, eps, momentum);
        RegisterComponents();
    }

    /// <summary>Devices the statistics are reduced over; only one is supported.</summary>
    public static int WorldSize { get; set; } = 1;

    public override Tensor forward(Tensor x)
    {
        if (WorldSize != 1)
            throw new NotSupportedException("SyncBN across several devices needs an all-reduce, which TorchSharp does not provide.");
        return bn.forward(x);
    }
}
