using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>
/// A binary mask as column-major (Fortran order) run lengths, the representation of pycocotools' maskApi.c:
/// counts alternate background and foreground runs and always start with a (possibly empty) background run.
/// Instances are immutable; every operation agrees exactly with pycocotools.
/// </summary>
public sealed class Rle : IEquatable<Rle>
{
    private readonly uint[] _counts;

    /// <summary>Wraps counts (background run first); they must add up to height*width.</summary>
    public Rle(int height, int width, IEnumerable<uint> counts)
        : this(CheckedCounts(height, width, counts), height, width)
    {
    }

    private Rle(uint[] counts, int height, int width)
    {
        if (height < 0 || width < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"mask size must be non-negative, got {height}x{width}");
        }

        Height = height;
        Width = width;
        _counts = counts;
    }

    /// <summary>Wraps counts the library just computed; it takes ownership of the array (no copy, no check).</summary>
    internal static Rle Own(int height, int width, uint[] counts) => new(counts, height, width);

    public int Height { get; }

    public int Width { get; }

    public IReadOnlyList<uint> Counts => Array.AsReadOnly(_counts);

    internal uint[] CountsArray => _counts;

    /// <summary>Number of foreground pixels (pycocotools rleArea).</summary>
    public long Area => RleGeometry.Area(_counts);

    /// <summary>An all-background mask of the given size.</summary>
    public static Rle Empty(int height, int width) => Own(height, width, [(uint)(height * width)]);

    /// <summary>Encodes a binary mask given row-major (one row after another); any non-zero byte is foreground.</summary>
    public static Rle Encode(byte[] rowMajorMask, int height, int width) =>
        RleBinaryCodec.Encode(rowMajorMask, height, width);

    /// <summary>Decodes to a row-major mask of 0/1 bytes (height rows of width bytes).</summary>
    public byte[] Decode() => RleBinaryCodec.Decode(this);

    /// <summary>Tight bounding box [x, y, w, h] exactly as pycocotools rleToBbox computes it.</summary>
    public CocoBox ToBbox() => RleGeometry.ToBbox(_counts, Height, Width);

    /// <summary>The compressed counts string of pycocotools rleToString.</summary>
    public string ToCompressedString() => RleStringCodec.Encode(_counts);

    /// <summary>Parses a compressed counts string (pycocotools rleFrString).</summary>
    public static Rle FromCompressedString(string counts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var runs = new uint[RleStringCodec.CountNumbers(counts)];
        int m = RleStringCodec.DecodeInto(counts, runs, out long sum, out string? error);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(counts));
        }

        CheckSum(height, width, sum);
        return Own(height, width, m == runs.Length ? runs : runs[..m]);
    }

    /// <summary>Rasterises one polygon (x1, y1, x2, y2, ...) exactly as pycocotools rleFrPoly does.</summary>
    public static Rle FromPolygon(IReadOnlyList<double> xy, int height, int width) =>
        Own(height, width, PolygonRasterizer.Rasterize(xy, height, width));

    /// <summary>Rasterises a box as its four-corner polygon (pycocotools rleFrBbox).</summary>
    public static Rle FromBbox(CocoBox box, int height, int width) =>
        Own(height, width, PolygonRasterizer.RasterizeBox(box, height, width));

    /// <summary>Union (default) or intersection of masks of one size (pycocotools rleMerge).</summary>
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect = false) => RleMerger.Merge(masks, intersect);

    private static uint[] CheckedCounts(int height, int width, IEnumerable<uint> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        uint[] array = counts.ToArray();
        long sum = 0;
        foreach (uint c in array)
        {
            sum += c;
        }

        CheckSum(height, width, sum);
        return array;
    }

    private static void CheckSum(int height, int width, long sum)
    {
        if (sum != (long)height * width)
        {
            throw new ArgumentException($"RLE counts add up to {sum} but the mask is {height}x{width} = {(long)height * width} pixels");
        }
    }

    public bool Equals(Rle? other) =>
        other is not null && Height == other.Height && Width == other.Width && _counts.AsSpan().SequenceEqual(other._counts);

    public override bool Equals(object? obj) => Equals(obj as Rle);

    public override int GetHashCode() => HashCode.Combine(Height, Width, _counts.Length);

    public override string ToString() => $"Rle {Height}x{Width} area={Area} counts={ToCompressedString()}";
}
