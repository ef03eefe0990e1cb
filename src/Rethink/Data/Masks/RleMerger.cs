namespace Rethink.Data.Masks;

/// <summary>Union or intersection of run-length masks, a line-by-line port of pycocotools rleMerge.</summary>
internal static class RleMerger
{
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect)
    {
        ArgumentNullException.ThrowIfNull(masks);
        int n = masks.Count;
        if (n == 0)
        {
            return Rle.Own(0, 0, []);
        }

        int h = masks[0].Height, w = masks[0].Width;
        if (n == 1)
        {
            return masks[0];
        }

        uint[] current = masks[0].CountsArray;
        int currentLength = current.Length;
        for (int i = 1; i < n; i++)
        {
            Rle b = masks[i];
            if (b.Height != h || b.Width != w)
            {
                // pycocotools returns an empty 0x0 RLE here; an exception is clearer than silently losing the mask.
                throw new ArgumentException(
                    $"cannot merge masks of different sizes: {h}x{w} and {b.Height}x{b.Width} (mask {i})", nameof(masks));
            }

            current = MergePair(current.AsSpan(0, currentLength), b.CountsArray, intersect, out currentLength);
        }

        return Rle.Own(h, w, current.AsSpan(0, currentLength).ToArray());
    }

    /// <summary>One step of the merge loop; returns a buffer whose first <paramref name="length"/> entries are the result.</summary>
    internal static uint[] MergePair(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, bool intersect, out int length)
    {
        var counts = new uint[a.Length + b.Length + 1];
        uint ca = a.Length > 0 ? a[0] : 0, cb = b.Length > 0 ? b[0] : 0, cc = 0, ct = 1;
        bool v = false, va = false, vb = false;
        int m = 0, ia = 1, ib = 1;
        while (ct > 0)
        {
            uint c = Math.Min(ca, cb);
            cc += c;
            ct = 0;
            ca -= c;
            if (ca == 0 && ia < a.Length)
            {
                ca = a[ia++];
                va = !va;
            }

            ct += ca;
            cb -= c;
            if (cb == 0 && ib < b.Length)
            {
                cb = b[ib++];
                vb = !vb;
            }

            ct += cb;
            bool vp = v;
            v = intersect ? va && vb : va || vb;
            if (v != vp || ct == 0)
            {
                counts[m++] = cc;
                cc = 0;
            }
        }

        length = m;
        return counts;
    }
}
