using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>A mask's size, pycocotools bounding box and area, computed once per mask.</summary>
internal readonly record struct MaskFacts(int Height, int Width, CocoBox Box, long Area)
{
    public static MaskFacts Of(Rle mask) => Of(mask.CountsArray, mask.Height, mask.Width);

    public static MaskFacts Of(ReadOnlySpan<uint> counts, int height, int width) =>
        new(height, width, RleGeometry.ToBbox(counts, height, width), RleGeometry.Area(counts));
}
