namespace Rethink.DataPrep.Coco;

/// <summary>COCO's uncompressed RLE: run lengths over a mask in column-major order, starting with a run of zeros.</summary>
public static class CocoRle
{
    /// <summary>Runs of a row-major 0/1 mask of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static List<int> Encode(byte[] mask, int height, int width)
    {
        if (mask.Length != height * width) throw new ArgumentException($"mask has {mask.Length} pixels, expected {height}x{width}");
        var runs = new List<int>();
        byte current = 0;
        int run = 0;
        for (int x = 0; x < width; x++)
            for (int y = 0; y < height; y++)
            {
                byte v = mask[y * width + x] != 0 ? (byte)1 : (byte)0;
                if (v == current) { run++; continue; }
                runs.Add(run);
                current = v;
                run = 1;
            }
        runs.Add(run);
        return runs;
    }

    /// <summary>The row-major 0/1 mask of the runs; throws if they do not cover height x width exactly.</summary>
    public static byte[] Decode(IReadOnlyList<int> counts, int height, int width)
    {
        var mask = new byte[height * width];
        long pos = 0;
        for (int k = 0; k < counts.Count; k++)
        {
            if (counts[k] < 0) throw new ArgumentException($"negative run {counts[k]} at {k}");
            if (k % 2 == 1)
                for (long p = pos; p < pos + counts[k]; p++)
                {
                    if (p >= mask.LongLength) break;
                    long x = p / height, y = p % height;
                    mask[y * width + x] = 1;
                }
            pos += counts[k];
        }
        if (pos != (long)height * width) throw new ArgumentException($"runs cover {pos} pixels, expected {height * width}");
        return mask;
    }
}
