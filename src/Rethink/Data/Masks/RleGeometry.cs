using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>Area and bounding box of run-length masks, ported from maskApi.c (rleArea, rleToBbox).</summary>
internal static class RleGeometry
{
    public static long Area(ReadOnlySpan<uint> counts)
    {
        long area = 0;
        for (int j = 1; j < counts.Length; j += 2)
        {
            area += counts[j];
        }

        return area;
    }

    public static CocoBox ToBbox(ReadOnlySpan<uint> counts, int height, int width)
    {
        // Unsigned arithmetic on purpose: it mirrors the C code, including its behaviour on odd inputs.
        uint h = (uint)height, w = (uint)width;
        int m = counts.Length / 2 * 2;
        if (m == 0 || h == 0 || w == 0)
        {
            return new CocoBox(0, 0, 0, 0);
        }

        double inverseHeight = 1.0 / h;
        uint xs = w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        uint x = 0, columnStart = 0;
        for (int j = 0; j < m; j++)
        {
            cc += counts[j];
            uint t = cc - (uint)(j & 1);

            // Runs mostly end in the same or the next column: track the column instead of dividing.
            uint offset = t - columnStart;
            if (t < columnStart || offset >= 2 * h)
            {
                x = ColumnOf(t, h, inverseHeight);
                columnStart = x * h;
            }
            else if (offset >= h)
            {
                x++;
                columnStart += h;
            }

            uint y = t - columnStart;
            if ((j & 1) == 0)
            {
                xp = x;
            }
            else if (xp < x)
            {
                // A foreground run that wraps into the next column covers the full height.
                ys = 0;
                ye = h - 1;
            }

            xs = Math.Min(xs, x);
            xe = Math.Max(xe, x);
            ys = Math.Min(ys, y);
            ye = Math.Max(ye, y);
        }

        return new CocoBox(xs, ys, xe - xs + 1, ye - ys + 1);
    }

    /// <summary>t / h by a multiplication, corrected to the exact integer quotient (divisions dominate otherwise).</summary>
    private static uint ColumnOf(uint t, uint h, double inverseHeight)
    {
        ulong x = (ulong)(t * inverseHeight);
        while (x * h > t)
        {
            x--;
        }

        while ((x + 1) * h <= t)
        {
            x++;
        }

        return (uint)x;
    }
}
