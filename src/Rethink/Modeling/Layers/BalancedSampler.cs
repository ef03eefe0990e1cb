using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Samples up to <c>BatchPerImage</c> predictions per image with at most <c>PositiveFraction</c> positives,
/// filling the rest with negatives; random through libtorch's CPU generator (on every device), so a seed fixes it and
/// a CUDA run samples exactly what the CPU run samples.
/// </summary>
public sealed record BalancedSampler(int BatchPerImage, double PositiveFraction)
{
    /// <param name="labels">(P) int64: 1 or more positive, 0 negative, -1 ignored.</param>
    /// <returns>Indices of sampled positives and negatives.</returns>
    public (Tensor positives, Tensor negatives) Sample(Tensor labels)
    {
        using var scope = NewDisposeScope();
        var pos = labels.ge(Scalars.One).nonzero().squeeze(1);
        var neg = labels.eq(Scalars.Zero).nonzero().squeeze(1);
        long numPos = Math.Min((long)(BatchPerImage * PositiveFraction), pos.shape[0]);
        long numNeg = Math.Min(BatchPerImage - numPos, neg.shape[0]);
        var p = pos.index_select(0, randperm(pos.shape[0]).narrow(0, 0, numPos).to(labels.device));
        var n = neg.index_select(0, randperm(neg.shape[0]).narrow(0, 0, numNeg).to(labels.device));
        return (p.MoveToOuterDisposeScope(), n.MoveToOuterDisposeScope());
    }
}
