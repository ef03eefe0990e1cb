using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>The one norm factory: backbone, FPN and heads all ask here by kind.</summary>
public static class Norms
{
    public static nn.Module<Tensor, Tensor> Create(NormKind kind, long channels, int gnGroups = 32)
    {
        nn.Module<Tensor, Tensor> norm = kind switch
        {
            NormKind.None => nn.Identity(),
            NormKind.FrozenBN => new FrozenBatchNorm2d(channels),
            NormKind.BN => new ScalarSafeBatchNorm2d(channels),
            NormKind.SyncBN => new SyncBatchNorm2d(channels),
            NormKind.GN => nn.GroupNorm(GroupsFor(channels, gnGroups), channels),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialised (seen: NaN); set them explicitly.
        using (no_grad())
        {
            foreach (var (name, p) in norm.named_parameters())
            {
                if (name.EndsWith("weight", StringComparison.Ordinal)) p.fill_(Scalars.One);
                else if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            }
        }
        return norm;
    }

    /// <summary>
    /// GroupNorm needs the group count to divide the channels; narrow (width-multiplied) models get the largest
    /// divisor of the channel count not above the requested groups.
    /// </summary>
    public static long GroupsFor(long channels, int groups)
    {
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "GroupNorm needs at least one group");
        for (long g = Math.Min(groups, channels); g > 1; g--)
            if (channels % g == 0) return g;
        return 1;
    }

    /// <summary>Convolutions followed by a norm with its own shift need no bias.</summary>
    public static bool ConvNeedsBias(NormKind kind) => kind == NormKind.None;

    public static bool IsNorm(nn.Module module) =>
        module is FrozenBatchNorm2d or SyncBatchNorm2d or ScalarSafeBatchNorm2d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.GroupNorm;
}
