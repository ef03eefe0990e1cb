using System.Buffers;
using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>
/// Polygon to run-length mask, a faithful port of pycocotools rleFrPoly: the outline is upsampled by 5, walked
/// edge by edge with a DDA, and the pixel boundaries where it crosses column centres give the column-major runs.
/// Integer truncation, rounding and unsigned wrap-around follow the C code so results agree bit for bit.
/// Unlike the C code the dense outline is not stored: each point is compared with the previous one as it is made,
/// which visits the same point pairs in the same order.
/// </summary>
internal static class PolygonRasterizer
{
    private const double Scale = 5;

    public static uint[] RasterizeBox(CocoBox box, int height, int width)
    {
        double xs = box.X, xe = xs + box.Width, ys = box.Y, ye = ys + box.Height;
        return Rasterize([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    public static uint[] Rasterize(IReadOnlyList<double> xy, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(xy);
        int k = xy.Count / 2;
        Span<int> x = k < 256 ? stackalloc int[k + 1] : new int[k + 1];
        Span<int> y = k < 256 ? stackalloc int[k + 1] : new int[k + 1];
        for (int j = 0; j < k; j++)
        {
            x[j] = (int)((Scale * xy[j * 2]) + .5);
            y[j] = (int)((Scale * xy[(j * 2) + 1]) + .5);
        }

        if (k > 0)
        {
            x[k] = x[0];
            y[k] = y[0];
        }

        long points = 0;
        for (int j = 0; j < k; j++)
        {
            points += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        }

        // At most one column crossing per outline point, plus the closing h*w.
        uint[] boundaries = ArrayPool<uint>.Shared.Rent((int)Math.Min(points + 1, int.MaxValue));
        try
        {
            int n = CollectCrossings(x, y, k, height, width, boundaries);
            boundaries[n++] = unchecked((uint)((long)height * width));
            return RunsFromBoundaries(boundaries.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(boundaries);
        }
    }

    /// <summary>Walks the upsampled outline and records each column-centre crossing as x*h + y.</summary>
    private static int CollectCrossings(ReadOnlySpan<int> x, ReadOnlySpan<int> y, int k, int height, int width, uint[] boundaries)
    {
        double lastColumn = (double)((ulong)(long)width - 1);
        int n = 0, pu = 0, pv = 0;
        bool havePrevious = false;
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }

            // A zero-length edge gives NaN here, as in C; its point never differs in u from its neighbours.
            double s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            bool xMajor = dx >= dy;
            int steps = xMajor ? dx : dy;
            for (int d = 0; d <= steps; d++)
            {
                int t = flip ? steps - d : d;
                int u, v;
                if (xMajor)
                {
                    u = t + xs;
                    v = (int)(ys + (s * t) + .5);
                }
                else
                {
                    v = t + ys;
                    u = (int)(xs + (s * t) + .5);
                }

                if (havePrevious && u != pu)
                {
                    double xd = u < pu ? u : u - 1;
                    xd = ((xd + .5) / Scale) - .5;
                    if (Math.Floor(xd) == xd && xd >= 0 && xd <= lastColumn)
                    {
                        double yd = v < pv ? v : pv;
                        yd = ((yd + .5) / Scale) - .5;
                        if (yd < 0)
                        {
                            yd = 0;
                        }
                        else if (yd > height)
                        {
                            yd = height;
                        }

                        yd = Math.Ceiling(yd);
                        boundaries[n++] = unchecked((uint)(((int)xd * height) + (int)yd));
                    }
                }

                pu = u;
                pv = v;
                havePrevious = true;
            }
        }

        return n;
    }

    /// <summary>Sorted boundary positions become run lengths; equal positions cancel out (as rleFrPoly).</summary>
    private static uint[] RunsFromBoundaries(Span<uint> a)
    {
        a.Sort();
        int n = a.Length;
        uint previous = 0;
        for (int j = 0; j < n; j++)
        {
            uint t = a[j];
            a[j] -= previous;
            previous = t;
        }

        var b = new uint[n];
        int i = 0, m = 0;
        b[m++] = a[i++];
        while (i < n)
        {
            if (a[i] > 0)
            {
                b[m++] = a[i++];
            }
            else
            {
                i++;
                if (i < n)
                {
                    b[m - 1] += a[i++];
                }
            }
        }

        return m == n ? b : b[..m];
    }
}
