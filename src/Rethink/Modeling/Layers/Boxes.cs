using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>Box arithmetic on (N, 4) tensors in (x1, y1, x2, y2) form, with torchvision's conventions (no +1).</summary>
public static class Boxes
{
    public static Tensor Area(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var w = boxes[TensorIndex.Colon, 2] - boxes[TensorIndex.Colon, 0];
        var h = boxes[TensorIndex.Colon, 3] - boxes[TensorIndex.Colon, 1];
        return (w * h).MoveToOuterDisposeScope();
    }

    /// <summary>Pairwise IoU, (N, M). Zero-area pairs give 0 rather than NaN.</summary>
    public static Tensor Iou(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var areaA = Area(a);
        var areaB = Area(b);
        var lt = maximum(a[TensorIndex.Colon, TensorIndex.None, TensorIndex.Slice(null, 2)], b[TensorIndex.None, TensorIndex.Colon, TensorIndex.Slice(null, 2)]);
        var rb = minimum(a[TensorIndex.Colon, TensorIndex.None, TensorIndex.Slice(2, null)], b[TensorIndex.None, TensorIndex.Colon, TensorIndex.Slice(2, null)]);
        var wh = (rb - lt).clamp_min(Scalars.Zero);
        var inter = wh[TensorIndex.Ellipsis, 0] * wh[TensorIndex.Ellipsis, 1];
        var union = areaA[TensorIndex.Colon, TensorIndex.None].add(areaB[TensorIndex.None, TensorIndex.Colon], Scalars.One) - inter;
        var iou = where(union.gt(Scalars.Zero), inter / union.clamp_min(Scalars.Of(1e-12)), zeros_like(inter));
        return iou.MoveToOuterDisposeScope();
    }

    /// <summary>Clips boxes to an image of the given height and width.</summary>
    public static Tensor Clip(Tensor boxes, long height, long width)
    {
        using var scope = NewDisposeScope();
        var x = boxes[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)].clamp(Scalars.Zero, Scalars.OfInt(width));
        var y = boxes[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)].clamp(Scalars.Zero, Scalars.OfInt(height));
        return stack([x, y], -1).reshape(boxes.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Indices of boxes whose sides are both at least minSize.</summary>
    public static Tensor KeepNonSmall(Tensor boxes, double minSize)
    {
        using var scope = NewDisposeScope();
        var w = boxes[TensorIndex.Colon, 2] - boxes[TensorIndex.Colon, 0];
        var h = boxes[TensorIndex.Colon, 3] - boxes[TensorIndex.Colon, 1];
        var min = Scalars.Of(minSize);
        return (w.ge(min) & h.ge(min)).nonzero().squeeze(1).MoveToOuterDisposeScope();
    }
}
