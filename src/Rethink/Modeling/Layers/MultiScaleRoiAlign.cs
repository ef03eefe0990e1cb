using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// RoIAlign over an FPN pyramid: each box is pooled from the level the FPN paper assigns it,
/// k = floor(4 + log2(sqrt(area) / 224)), clamped to the pyramid (torchvision's LevelMapper, eps 1e-6).
/// </summary>
public sealed class MultiScaleRoiAlign
{
    public MultiScaleRoiAlign(IReadOnlyList<int> strides, int outputSize, int samplingRatio, bool aligned = false,
        int canonicalLevel = 4, int canonicalScale = 224)
    {
        if (strides.Count == 0) throw new ArgumentException("at least one level is needed", nameof(strides));
        Strides = strides.ToArray();
        OutputSize = outputSize;
        SamplingRatio = samplingRatio;
        Aligned = aligned;
        CanonicalLevel = canonicalLevel;
        CanonicalScale = canonicalScale;
        MinLevel = (int)Math.Round(Math.Log2(Strides[0]));
        MaxLevel = (int)Math.Round(Math.Log2(Strides[^1]));
    }

    public int[] Strides { get; }
    public int OutputSize { get; }
    public int SamplingRatio { get; }
    public bool Aligned { get; }
    public int CanonicalLevel { get; }
    public int CanonicalScale { get; }
    public int MinLevel { get; }
    public int MaxLevel { get; }

    /// <summary>The pyramid level index (0 = finest) for each box of (K, 4).</summary>
    public Tensor Levels(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var s = Boxes.Area(boxes).clamp_min(Scalars.Zero).sqrt();
        var lvl = s.div(Scalars.OfInt(CanonicalScale)).log2()
            .add(Scalars.OfInt(CanonicalLevel), Scalars.One)
            .add(Scalars.Of(1e-6), Scalars.One)
            .floor().clamp(Scalars.OfInt(MinLevel), Scalars.OfInt(MaxLevel))
            .sub(Scalars.OfInt(MinLevel));
        return lvl.to(int64).MoveToOuterDisposeScope();
    }

    /// <param name="features">One (N, C, H, W) map per stride, finest first.</param>
    /// <param name="boxes">Per image, (K_i, 4) boxes in image coordinates.</param>
    /// <returns>(sum K_i, C, S, S), in the order of the boxes.</returns>
    public Tensor Apply(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes)
    {
        if (features.Count != Strides.Length) throw new ArgumentException($"expected {Strides.Length} feature maps, got {features.Count}");
        using var scope = NewDisposeScope();
        var rois = ToRois(boxes);
        long c = features[0].shape[1];
        long k = rois.shape[0];
        if (Strides.Length == 1)
            return RoiAlign.Apply(features[0], rois, OutputSize, OutputSize, 1.0 / Strides[0], SamplingRatio, Aligned).MoveToOuterDisposeScope();
        var levels = Levels(rois[TensorIndex.Colon, TensorIndex.Slice(1, null)]);
        var pieces = new List<Tensor>();
        var order = new List<Tensor>();
        for (int l = 0; l < Strides.Length; l++)
        {
            var idx = levels.eq(Scalars.OfInt(l)).nonzero().squeeze(1);
            if (idx.shape[0] == 0) continue;
            pieces.Add(RoiAlign.Apply(features[l], rois.index_select(0, idx), OutputSize, OutputSize, 1.0 / Strides[l], SamplingRatio, Aligned));
            order.Add(idx);
        }
        if (pieces.Count == 0) return zeros(0, c, OutputSize, OutputSize, dtype: features[0].dtype, device: features[0].device).MoveToOuterDisposeScope();
        // Put each level's rows back where its boxes were: an inverse permutation, differentiable through index_select.
        var all = cat(pieces, 0);
        var perm = cat(order, 0);
        var inverse = empty_like(perm);
        inverse.index_put_(arange(Scalars.Zero, Scalars.OfInt(k), Scalars.One, dtype: int64, device: perm.device), perm);
        return all.index_select(0, inverse).MoveToOuterDisposeScope();
    }

    /// <summary>Per-image boxes to (K, 5) rows of (batch index, x1, y1, x2, y2).</summary>
    public static Tensor ToRois(IReadOnlyList<Tensor> boxes)
    {
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        for (int i = 0; i < boxes.Count; i++)
            rows.Add(cat([full(boxes[i].shape[0], 1, Scalars.Of(i), dtype: boxes[i].dtype, device: boxes[i].device), boxes[i]], 1));
        return cat(rows, 0).MoveToOuterDisposeScope();
    }
}
