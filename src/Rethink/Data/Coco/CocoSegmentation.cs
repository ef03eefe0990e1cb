namespace Rethink.Data.Coco;

/// <summary>
/// An annotation's or result's segmentation, in one of the three forms COCO files use.
/// Match on the concrete type: <see cref="PolygonSegmentation"/>, <see cref="UncompressedRleSegmentation"/>
/// or <see cref="CompressedRleSegmentation"/>.
/// </summary>
public abstract record CocoSegmentation;

/// <summary>One or more polygons, each a flat list x1, y1, x2, y2, ... in pixel coordinates.</summary>
public sealed record PolygonSegmentation(IReadOnlyList<IReadOnlyList<double>> Polygons) : CocoSegmentation
{
    public bool Equals(PolygonSegmentation? other) =>
        other is not null && Polygons.Count == other.Polygons.Count
        && Polygons.Zip(other.Polygons).All(p => p.First.SequenceEqual(p.Second));

    public override int GetHashCode() => Polygons.Count;
}

/// <summary>Column-major run-length counts as a plain integer list (COCO's "uncompressed RLE", used for crowds).</summary>
public sealed record UncompressedRleSegmentation(int Height, int Width, IReadOnlyList<uint> Counts) : CocoSegmentation
{
    public bool Equals(UncompressedRleSegmentation? other) =>
        other is not null && Height == other.Height && Width == other.Width && Counts.SequenceEqual(other.Counts);

    public override int GetHashCode() => HashCode.Combine(Height, Width, Counts.Count);
}

/// <summary>Column-major run-length counts in pycocotools' compressed ASCII form (the "counts" string).</summary>
public sealed record CompressedRleSegmentation(int Height, int Width, string Counts) : CocoSegmentation;
