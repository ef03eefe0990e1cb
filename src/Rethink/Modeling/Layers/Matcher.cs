using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Assigns each prediction (anchor or proposal) to a ground-truth box by IoU: the index of the best box when
/// IoU >= high, <see cref="BelowLow"/> when IoU &lt; low, <see cref="BetweenThresholds"/> in between. With
/// <c>AllowLowQuality</c> (the RPN), each ground-truth box also keeps the predictions that match it best.
/// </summary>
public sealed record Matcher(double High, double Low, bool AllowLowQuality)
{
    public const long BelowLow = -1;
    public const long BetweenThresholds = -2;

    /// <param name="iou">(G, P) IoU of ground truth against predictions.</param>
    /// <returns>(P) int64 matches.</returns>
    public Tensor Match(Tensor iou)
    {
        if (iou.shape[0] == 0)
            return full(iou.shape[1], Scalars.OfInt(BelowLow), dtype: int64, device: iou.device);
        using var scope = NewDisposeScope();
        var (vals, matches) = iou.max(0);
        var original = AllowLowQuality ? matches.clone() : null;
        matches = matches.clone();
        var low = Scalars.Of(Low);
        matches.masked_fill_(vals.lt(low), Scalars.OfInt(BelowLow));
        matches.masked_fill_(vals.ge(low) & vals.lt(Scalars.Of(High)), Scalars.OfInt(BetweenThresholds));
        if (original is not null)
        {
            // For each ground truth, every prediction tied for its highest IoU keeps its original match.
            var best = iou.max(1).values;
            var pairs = (iou == best.unsqueeze(1)).nonzero();
            var preds = pairs[TensorIndex.Colon, 1];
            matches.index_put_(original.index_select(0, preds), preds);
        }
        return matches.MoveToOuterDisposeScope();
    }
}
