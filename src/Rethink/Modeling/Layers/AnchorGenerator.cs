using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// Anchors per pyramid level: one size per level, several aspect ratios, centred on each feature cell's top-left
/// corner in image pixels, rounded as torchvision rounds its base anchors. Order: cell-major, then ratio.
/// </summary>
public sealed class AnchorGenerator
{
    public AnchorGenerator(IReadOnlyList<double> sizes, IReadOnlyList<double> aspectRatios, IReadOnlyList<int> strides)
    {
        if (sizes.Count != strides.Count) throw new ArgumentException($"{sizes.Count} anchor sizes for {strides.Count} levels");
        Sizes = sizes.ToArray();
        AspectRatios = aspectRatios.ToArray();
        Strides = strides.ToArray();
    }

    public double[] Sizes { get; }
    public double[] AspectRatios { get; }
    public int[] Strides { get; }
    public int AnchorsPerCell => AspectRatios.Length;

    /// <summary>The (A, 4) base anchors of one level, centred at the origin.</summary>
    public Tensor BaseAnchors(int level, Device? device = null)
    {
        var rows = new List<float>();
        foreach (double ar in AspectRatios)
        {
            double hr = Math.Sqrt(ar), wr = 1 / hr;
            double ws = wr * Sizes[level], hs = hr * Sizes[level];
            // torchvision computes these in float32 and rounds half to even.
            rows.AddRange([MathF.Round((float)(-ws / 2)), MathF.Round((float)(-hs / 2)), MathF.Round((float)(ws / 2)), MathF.Round((float)(hs / 2))]);
        }
        return tensor(rows.ToArray(), [AspectRatios.Length, 4], device: device);
    }

    /// <summary>All anchors of one level for a (height, width) feature map: (H * W * A, 4).</summary>
    public Tensor LevelAnchors(int level, long height, long width, Device? device = null)
    {
        using var scope = NewDisposeScope();
        int s = Strides[level];
        var step = Scalars.OfInt(s);
        var sx = arange(Scalars.Zero, Scalars.OfInt(width), Scalars.One, dtype: float32, device: device).mul(step);
        var sy = arange(Scalars.Zero, Scalars.OfInt(height), Scalars.One, dtype: float32, device: device).mul(step);
        var grid = meshgrid([sy, sx], indexing: "ij");
        var yy = grid[0].reshape(-1);
        var xx = grid[1].reshape(-1);
        var shifts = stack([xx, yy, xx, yy], 1);
        var anchors = shifts.view(-1, 1, 4).add(BaseAnchors(level, device).view(1, -1, 4), Scalars.One);
        return anchors.reshape(-1, 4).MoveToOuterDisposeScope();
    }

    /// <summary>Anchors of every level, concatenated: (sum H_l W_l A, 4), the same for every image of a batch.</summary>
    public Tensor All(IReadOnlyList<Tensor> features)
    {
        using var scope = NewDisposeScope();
        var list = new List<Tensor>();
        for (int l = 0; l < features.Count; l++)
            list.Add(LevelAnchors(l, features[l].shape[2], features[l].shape[3], features[l].device));
        return cat(list, 0).MoveToOuterDisposeScope();
    }
}
