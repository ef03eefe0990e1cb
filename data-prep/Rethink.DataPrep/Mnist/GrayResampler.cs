namespace Rethink.DataPrep.Mnist;

/// <summary>
/// Bilinear resampling of a gray image (pixel centres at +0.5, edges clamped: torch's align_corners=false), with the
/// interpolation weights computed once per size pair.
/// </summary>
public sealed class GrayResampler
{
    readonly int sw, sh, dw, dh;
    readonly int[] x0, x1, y0, y1;
    readonly float[] fx, fy;

    public GrayResampler(int sourceWidth, int sourceHeight, int width, int height)
        : this(sourceWidth, sourceHeight, 0, 0, sourceWidth, sourceHeight, width, height) { }

    /// <summary>Resamples the window (cropX, cropY, cropWidth, cropHeight) of the source to width x height.</summary>
    public GrayResampler(int sourceWidth, int sourceHeight, int cropX, int cropY, int cropWidth, int cropHeight, int width, int height)
    {
        if (width < 1 || height < 1 || cropWidth < 1 || cropHeight < 1) throw new ArgumentOutOfRangeException(nameof(width), "sizes must be positive");
        (sw, sh, dw, dh) = (sourceWidth, sourceHeight, width, height);
        (x0, x1, fx) = Axis(width, cropX, cropWidth, sourceWidth);
        (y0, y1, fy) = Axis(height, cropY, cropHeight, sourceHeight);
    }

    static (int[] lo, int[] hi, float[] frac) Axis(int n, int start, int length, int limit)
    {
        var lo = new int[n]; var hi = new int[n]; var frac = new float[n];
        double scale = length / (double)n;
        for (int i = 0; i < n; i++)
        {
            double s = Math.Clamp((i + 0.5) * scale - 0.5, 0, length - 1);
            int a = (int)Math.Floor(s);
            lo[i] = Math.Clamp(start + a, 0, limit - 1);
            hi[i] = Math.Clamp(start + Math.Min(a + 1, length - 1), 0, limit - 1);
            frac[i] = (float)(s - a);
        }
        return (lo, hi, frac);
    }

    /// <summary>The resampled image, row-major, values in the source's range.</summary>
    public float[] Resample(ReadOnlySpan<byte> source)
    {
        if (source.Length != sw * sh) throw new ArgumentException($"expected {sw}x{sh} pixels, got {source.Length}");
        var result = new float[dw * dh];
        for (int y = 0; y < dh; y++)
        {
            int r0 = y0[y] * sw, r1 = y1[y] * sw;
            float wy = fy[y];
            for (int x = 0; x < dw; x++)
            {
                float wx = fx[x];
                float top = source[r0 + x0[x]] + (source[r0 + x1[x]] - source[r0 + x0[x]]) * wx;
                float bottom = source[r1 + x0[x]] + (source[r1 + x1[x]] - source[r1 + x0[x]]) * wx;
                result[y * dw + x] = top + (bottom - top) * wy;
            }
        }
        return result;
    }
}
