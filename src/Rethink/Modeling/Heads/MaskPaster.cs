using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Heads;

/// <summary>
/// Pastes fixed-size mask probabilities into image coordinates as torchvision does: pad the mask by one pixel, grow
/// its box by the same ratio, resize bilinearly to the box in whole pixels, and copy the part inside the image.
/// </summary>
public static class MaskPaster
{
    /// <param name="masks">(n, 1, M, M) probabilities.</param>
    /// <param name="boxes">(n, 4) boxes in image pixels.</param>
    /// <returns>(n, 1, height, width) probabilities.</returns>
    public static Tensor Paste(Tensor masks, Tensor boxes, int height, int width)
    {
        long n = masks.shape[0];
        var result = zeros(n, 1, height, width, dtype: masks.dtype, device: masks.device);
        if (n == 0) return result;
        using var scope = NewDisposeScope();
        long m = masks.shape[^1];
        var padded = nn.functional.pad(masks, [1, 1, 1, 1]);
        double scale = (m + 2.0) / m;
        var b = boxes.detach().to(float64).cpu().data<double>().ToArray();
        using var _ = no_grad();
        for (long i = 0; i < n; i++)
        {
            double x1 = b[4 * i], y1 = b[4 * i + 1], x2 = b[4 * i + 2], y2 = b[4 * i + 3];
            double wHalf = (x2 - x1) * 0.5 * scale, hHalf = (y2 - y1) * 0.5 * scale;
            double cx = (x2 + x1) * 0.5, cy = (y2 + y1) * 0.5;
            long bx1 = (long)(cx - wHalf), by1 = (long)(cy - hHalf), bx2 = (long)(cx + wHalf), by2 = (long)(cy + hHalf);
            long w = Math.Max(bx2 - bx1 + 1, 1), h = Math.Max(by2 - by1 + 1, 1);
            var resized = nn.functional.interpolate(padded.narrow(0, i, 1), size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
            long x0 = Math.Max(bx1, 0), xEnd = Math.Min(bx2 + 1, width);
            long y0 = Math.Max(by1, 0), yEnd = Math.Min(by2 + 1, height);
            if (x0 >= xEnd || y0 >= yEnd) continue;
            result[i, 0, TensorIndex.Slice(y0, yEnd), TensorIndex.Slice(x0, xEnd)] =
                resized[TensorIndex.Slice(y0 - by1, yEnd - by1), TensorIndex.Slice(x0 - bx1, xEnd - bx1)];
        }
        return result;
    }
}
