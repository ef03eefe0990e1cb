namespace Rethink.Data.Masks;

/// <summary>
/// pycocotools' compressed counts string (rleToString / rleFrString): LEB128-like, 5 data bits per ASCII character
/// (offset 48), with each count from the fourth on stored as the difference to the count two places back.
/// </summary>
internal static class RleStringCodec
{
    public static string Encode(ReadOnlySpan<uint> counts)
    {
        var chars = new char[(counts.Length * 7) + 1];
        int p = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2)
            {
                x -= counts[i - 2];
            }

            bool more = true;
            while (more)
            {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more)
                {
                    c |= 0x20;
                }

                chars[p++] = (char)(c + 48);
            }
        }

        return new string(chars, 0, p);
    }

    /// <summary>Decodes a counts string; throws <see cref="FormatException"/> when it is not a valid one.</summary>
    public static uint[] Decode(ReadOnlySpan<char> s)
    {
        var counts = new uint[CountNumbers(s)];
        int m = DecodeInto(s, counts, out _, out string? error);
        if (error is not null)
        {
            throw new FormatException(error);
        }

        return m == counts.Length ? counts : counts[..m];
    }

    /// <summary>How many counts a string holds: one per character without the continuation bit.</summary>
    public static int CountNumbers(ReadOnlySpan<char> s)
    {
        int n = 0;
        foreach (char ch in s)
        {
            n += ((ch - 48) & 0x20) == 0 ? 1 : 0;
        }

        return n;
    }

    /// <summary>
    /// Decodes into <paramref name="counts"/> (at least <see cref="CountNumbers"/> long); returns how many were
    /// written and their sum, or sets <paramref name="error"/>.
    /// </summary>
    public static int DecodeInto(ReadOnlySpan<char> s, Span<uint> counts, out long sum, out string? error)
    {
        int m = 0, p = 0, length = s.Length;
        long total = 0;
        error = null;
        while (p < length)
        {
            long x = 0;
            int shift = 0;
            int c;
            do
            {
                c = s[p] - 48;
                if ((uint)c > 63)
                {
                    sum = total;
                    error = $"RLE counts string has character '{s[p]}' (code {(int)s[p]}) at {p}; allowed are codes 48..111";
                    return m;
                }

                x |= (long)(c & 0x1f) << shift;
                shift += 5;
                p++;
            }
            while ((c & 0x20) != 0 && p < length);

            if ((c & 0x20) != 0)
            {
                sum = total;
                error = $"RLE counts string ends inside a number (at character {p})";
                return m;
            }

            if ((c & 0x10) != 0)
            {
                x |= -1L << shift;
            }

            if (m > 2)
            {
                x += counts[m - 2];
            }

            if ((uint)m >= (uint)counts.Length)
            {
                sum = total;
                error = "RLE counts buffer too small";
                return m;
            }

            uint value = (uint)x;
            counts[m++] = value;
            total += value;
        }

        sum = total;
        return m;
    }
}
