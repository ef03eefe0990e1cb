namespace Rethink.Data.Masks;

/// <summary>Converts between row-major byte masks and column-major run lengths (pycocotools rleEncode / rleDecode).</summary>
internal static class RleBinaryCodec
{
    public static Rle Encode(byte[] rowMajor, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(rowMajor);
        if (height < 0 || width < 0 || rowMajor.Length != (long)height * width)
        {
            throw new ArgumentException(
                $"mask has {rowMajor.Length} bytes but height*width is {height}*{width}", nameof(rowMajor));
        }

        // Walk in column-major order without materialising a transposed copy.
        var counts = new List<uint>();
        bool previous = false;
        uint run = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                bool value = rowMajor[(y * width) + x] != 0;
                if (value != previous)
                {
                    counts.Add(run);
                    run = 0;
                    previous = value;
                }

                run++;
            }
        }

        counts.Add(run);
        return Rle.Own(height, width, counts.ToArray());
    }

    public static byte[] Decode(Rle rle)
    {
        int height = rle.Height, width = rle.Width;
        var mask = new byte[(long)height * width];
        uint[] counts = rle.CountsArray;
        long position = 0;
        long total = (long)height * width;
        byte value = 0;
        foreach (uint count in counts)
        {
            long end = position + count;
            if (end > total)
            {
                throw new ArgumentException($"RLE counts sum past {height}x{width}");
            }

            if (value == 1)
            {
                for (long p = position; p < end; p++)
                {
                    // Column-major index p -> (row p % h, column p / h).
                    long column = p / height, row = p - (column * height);
                    mask[(row * width) + column] = 1;
                }
            }

            position = end;
            value ^= 1;
        }

        return mask;
    }
}
