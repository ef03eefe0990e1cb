using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// RoIAlign (Mask R-CNN) with torchvision's semantics: bilinear samples on a regular grid inside each bin, averaged;
/// <c>aligned</c> shifts the box by half a pixel; a sampling ratio of 0 or less picks ceil(bin size) samples per bin
/// for each box; samples more than one pixel outside the feature map contribute zero.
/// Written with index_select over channel-last rows, so autograd gives the backward (a scatter-add) for free and the
/// memory held for backward is only indices and weights, never the gathered features.
/// </summary>
public static class RoiAlign
{
    /// <param name="input">(N, C, H, W) features.</param>
    /// <param name="rois">(K, 5) rows of (batch index, x1, y1, x2, y2) in image coordinates.</param>
    public static Tensor Apply(Tensor input, Tensor rois, long outputHeight, long outputWidth, double spatialScale,
        int samplingRatio, bool aligned)
    {
        if (input.dim() != 4) throw new ArgumentException("RoIAlign input must be (N, C, H, W)");
        if (rois.dim() != 2 || rois.shape[1] != 5) throw new ArgumentException("rois must be (K, 5): batch index, x1, y1, x2, y2");
        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3], k = rois.shape[0];
        if (k == 0 || h == 0 || w == 0)
            return zeros(k, c, outputHeight, outputWidth, dtype: input.dtype, device: input.device);

        if (RoiAlignDirect.Applies(input))
            return RoiAlignDirect.Apply(input, rois, outputHeight, outputWidth, spatialScale, samplingRatio, aligned);
        return ViaTensors(input, rois, outputHeight, outputWidth, spatialScale, samplingRatio, aligned);
    }

    /// <summary>The tensor formulation, whatever the input (tests compare <see cref="RoiAlignDirect"/> with it).</summary>
    internal static Tensor ViaTensors(Tensor input, Tensor rois, long outputHeight, long outputWidth, double spatialScale,
        int samplingRatio, bool aligned)
    {
        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3], k = rois.shape[0];
        using var scope = NewDisposeScope();
        var feats = input.permute(0, 2, 3, 1).reshape(n * h * w, c);
        var output = Gather(feats, rois, input.dtype, n, h, w, outputHeight, outputWidth, spatialScale, samplingRatio, aligned);
        return output.view(k, outputHeight, outputWidth, c).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    static Tensor Gather(Tensor feats, Tensor rois, ScalarType dtype, long n, long h, long w, long outH, long outW,
        double spatialScale, int samplingRatio, bool aligned)
    {
        var device = feats.device;
        long k = rois.shape[0];
        var corners = new List<(Tensor index, Tensor weight)>();
        // With gradients the whole (M, T) table goes to one differentiable call; without (mask targets, inference)
        // it is applied one sample row at a time, so adaptive sampling on large boxes stays within memory.
        bool needGrad = feats.requires_grad && is_grad_enabled();
        Tensor? partial = null;
        using (no_grad())
        {
            var r = rois.detach().to(dtype);
            double offset = aligned ? 0.5 : 0.0;
            var batch = r[TensorIndex.Colon, 0].to(int64);
            var scale = Scalars.Of(spatialScale);
            var shift = Scalars.Of(offset);
            var x0 = r[TensorIndex.Colon, 1].mul(scale).sub(shift);
            var y0 = r[TensorIndex.Colon, 2].mul(scale).sub(shift);
            var roiW = r[TensorIndex.Colon, 3].mul(scale).sub(shift) - x0;
            var roiH = r[TensorIndex.Colon, 4].mul(scale).sub(shift) - y0;
            if (!aligned)
            {
                roiW = roiW.clamp_min(Scalars.Of(1.0));
                roiH = roiH.clamp_min(Scalars.Of(1.0));
            }
            var binW = roiW.div(Scalars.OfInt(outW));
            var binH = roiH.div(Scalars.OfInt(outH));
            Tensor gridH, gridW;
            long maxGridH, maxGridW;
            if (samplingRatio > 0)
            {
                gridH = full(k, Scalars.OfInt(samplingRatio), dtype: int64, device: device);
                gridW = full(k, Scalars.OfInt(samplingRatio), dtype: int64, device: device);
                maxGridH = maxGridW = samplingRatio;
            }
            else
            {
                gridH = binH.ceil().to(int64);
                gridW = binW.ceil().to(int64);
                maxGridH = Math.Max(1, gridH.max().item<long>());
                maxGridW = Math.Max(1, gridW.max().item<long>());
            }
            var count = (gridH * gridW).clamp_min(Scalars.One).to(dtype);
            var ph = arange(Scalars.Zero, Scalars.OfInt(outH), Scalars.One, dtype: dtype, device: device);
            var pw = arange(Scalars.Zero, Scalars.OfInt(outW), Scalars.One, dtype: dtype, device: device);
            var gh = gridH.to(dtype).clamp_min(Scalars.One);
            var gw = gridW.to(dtype).clamp_min(Scalars.One);
            var rowBase = batch.mul(Scalars.OfInt(h * w)).view(k, 1, 1);
            for (long iy = 0; iy < maxGridH; iy++)
            {
                // (K, outH) sample rows for this iy; rows past a box's own grid get weight 0.
                var y = y0.unsqueeze(1).add(ph.unsqueeze(0) * binH.unsqueeze(1), Scalars.One)
                    .add((binH / gh).unsqueeze(1).mul(Scalars.Of(iy + 0.5)), Scalars.One);
                var yValid = gridH.gt(Scalars.OfInt(iy)).unsqueeze(1).to(dtype);
                var (yLo, yHi, ly, yIn) = Axis(y, h);
                for (long ix = 0; ix < maxGridW; ix++)
                {
                    var x = x0.unsqueeze(1).add(pw.unsqueeze(0) * binW.unsqueeze(1), Scalars.One)
                        .add((binW / gw).unsqueeze(1).mul(Scalars.Of(ix + 0.5)), Scalars.One);
                    var xValid = gridW.gt(Scalars.OfInt(ix)).unsqueeze(1).to(dtype);
                    var (xLo, xHi, lx, xIn) = Axis(x, w);
                    // (K, outH, outW) weight common to the four corners: inside-map, inside-grid, 1/count.
                    var common = ((yIn * yValid).unsqueeze(2) * (xIn * xValid).unsqueeze(1)) / count.view(k, 1, 1);
                    // 1 - l, computed as TorchSharp's operator does: -l + 1.
                    var hy = ly.negative().add(Scalars.One, Scalars.One).unsqueeze(2); var lyy = ly.unsqueeze(2);
                    var hx = lx.negative().add(Scalars.One, Scalars.One).unsqueeze(1); var lxx = lx.unsqueeze(1);
                    corners.Add(Corner(rowBase, yLo, xLo, w, hy * hx * common));
                    corners.Add(Corner(rowBase, yLo, xHi, w, hy * lxx * common));
                    corners.Add(Corner(rowBase, yHi, xLo, w, lyy * hx * common));
                    corners.Add(Corner(rowBase, yHi, xHi, w, lyy * lxx * common));
                }
                if (!needGrad)
                {
                    var rows = Table(corners, feats);
                    partial = partial is null ? rows : partial.add_(rows, Scalars.One);
                    corners.Clear();
                }
            }
        }
        return needGrad ? Table(corners, feats) : partial!;
    }

    static Tensor Table(List<(Tensor index, Tensor weight)> corners, Tensor feats) =>
        WeightedRowGather.Apply(feats, stack(corners.Select(c => c.index), 1), stack(corners.Select(c => c.weight), 1));

    static (Tensor index, Tensor weight) Corner(Tensor rowBase, Tensor yIdx, Tensor xIdx, long w, Tensor weight) =>
        (rowBase.add(yIdx.unsqueeze(2).mul(Scalars.OfInt(w)), Scalars.One).add(xIdx.unsqueeze(1), Scalars.One).reshape(-1), weight.reshape(-1));

    /// <summary>torchvision's bilinear rules along one axis: low and high cell, fraction, and whether the sample counts.</summary>
    static (Tensor lo, Tensor hi, Tensor frac, Tensor inside) Axis(Tensor p, long size)
    {
        var last = Scalars.OfInt(size - 1);
        var inside = (p.ge(Scalars.Of(-1.0)) & p.le(Scalars.OfInt(size))).to(p.dtype);
        var q = p.clamp_min(Scalars.Zero);
        var lo = q.floor().to(int64);
        var atEdge = lo.ge(last);
        lo = lo.clamp_max(last);
        var hi = where(atEdge, lo, lo.add(Scalars.One, Scalars.One));
        q = where(atEdge, lo.to(p.dtype), q);
        var frac = q - lo.to(p.dtype);
        return (lo, hi, frac, inside);
    }
}
