using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Layers;

/// <summary>
/// RoIAlign's forward as one C# loop, for the case the tensor formulation of <see cref="RoiAlign"/> handles worst: no
/// gradient and few channels, as when the training masks are cut to 28x28 targets (one channel, adaptive sampling of up
/// to a dozen samples per bin on large boxes, where the tensor version issues a few hundred small ops per step). Same
/// rules and the same float32 arithmetic as <see cref="RoiAlign"/>; a test compares the two.
/// </summary>
static class RoiAlignDirect
{
    /// <summary>True when this path applies: CPU float32, no gradient wanted, at most <see cref="MaxChannels"/> channels.</summary>
    public static bool Applies(Tensor input) =>
        input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32 && input.shape[1] <= MaxChannels
        && !(input.requires_grad && is_grad_enabled());

    public const long MaxChannels = 4;

    public static unsafe Tensor Apply(Tensor input, Tensor rois, long outH, long outW, double spatialScale, int samplingRatio, bool aligned)
    {
        using var scope = NewDisposeScope();
        var feats = input.detach().contiguous();
        var boxes = rois.detach().to(float64).contiguous();
        long n = feats.shape[0], c = feats.shape[1], h = feats.shape[2], w = feats.shape[3], k = boxes.shape[0];
        var output = zeros(k, c, outH, outW, dtype: float32);
        float* f = WeightedRowGather.Ptr<float>(feats);
        double* r = WeightedRowGather.Ptr<double>(boxes);
        float* o = WeightedRowGather.Ptr<float>(output);
        float scale = (float)spatialScale, offset = aligned ? 0.5f : 0f;
        int threads = (int)Math.Clamp(Math.Min(get_num_threads(), k / 8), 1, 64);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            for (long roi = k * part / threads, end = k * (part + 1) / threads; roi < end; roi++)
            {
                double* box = r + roi * 5;
                long b = (long)box[0];
                if (b < 0 || b >= n) throw new IndexOutOfRangeException($"roi {roi}: batch index {b} outside 0..{n - 1}");
                float x0 = (float)box[1] * scale - offset, y0 = (float)box[2] * scale - offset;
                float roiW = ((float)box[3] * scale - offset) - x0, roiH = ((float)box[4] * scale - offset) - y0;
                if (!aligned) { roiW = MathF.Max(roiW, 1f); roiH = MathF.Max(roiH, 1f); }
                float binW = roiW / outW, binH = roiH / outH;
                long gridH = samplingRatio > 0 ? samplingRatio : (long)MathF.Ceiling(binH);
                long gridW = samplingRatio > 0 ? samplingRatio : (long)MathF.Ceiling(binW);
                float common = 1f / Math.Max(gridH * gridW, 1);
                float stepH = binH / Math.Max(gridH, 1), stepW = binW / Math.Max(gridW, 1);
                for (long ch = 0; ch < c; ch++)
                {
                    float* plane = f + (b * c + ch) * h * w;
                    float* dst = o + (roi * c + ch) * outH * outW;
                    for (long ph = 0; ph < outH; ph++)
                    for (long pw = 0; pw < outW; pw++)
                    {
                        // Summed in the tensor path's order (corners, then ix, within a sample row; rows added up),
                        // with 1/count inside each weight as there, so both give the same bits.
                        float sum = 0f;
                        for (long iy = 0; iy < gridH; iy++)
                        {
                            float y = y0 + ph * binH + stepH * (iy + 0.5f);
                            if (!Axis(y, h, out long yLo, out long yHi, out float ly)) continue;
                            float hy = 1f - ly, row = 0f;
                            for (long ix = 0; ix < gridW; ix++)
                            {
                                float x = x0 + pw * binW + stepW * (ix + 0.5f);
                                if (!Axis(x, w, out long xLo, out long xHi, out float lx)) continue;
                                float hx = 1f - lx;
                                row = Add(row, hy * hx * common, plane[yLo * w + xLo]);
                                row = Add(row, hy * lx * common, plane[yLo * w + xHi]);
                                row = Add(row, ly * hx * common, plane[yHi * w + xLo]);
                                row = Add(row, ly * lx * common, plane[yHi * w + xHi]);
                            }
                            sum += row;
                        }
                        dst[ph * outW + pw] = sum;
                    }
                }
            }
        });
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>acc + weight * value, skipping zero weights as the tensor path's gather does.</summary>
    static float Add(float acc, float weight, float value) => weight == 0f ? acc : acc + weight * value;

    /// <summary>torchvision's bilinear rules along one axis; false when the sample lies more than a pixel outside.</summary>
    static bool Axis(float p, long size, out long lo, out long hi, out float frac)
    {
        lo = hi = 0;
        frac = 0;
        if (p < -1f || p > size) return false;
        float q = MathF.Max(p, 0f);
        lo = (long)MathF.Floor(q);
        if (lo >= size - 1)
        {
            lo = hi = size - 1;
            return true;
        }
        hi = lo + 1;
        frac = q - lo;
        return true;
    }
}
