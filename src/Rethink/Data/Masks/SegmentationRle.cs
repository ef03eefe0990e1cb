using Rethink.Data.Coco;

namespace Rethink.Data.Masks;

/// <summary>
/// Turns an annotation's segmentation into one mask, as pycocotools' COCO.annToRLE does:
/// polygons are rasterised at the image size and merged, RLEs keep their own size.
/// </summary>
public static class SegmentationRle
{
    public static Rle ToRle(CocoSegmentation segmentation, int imageHeight, int imageWidth)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        return segmentation switch
        {
            PolygonSegmentation polygons => FromPolygons(polygons.Polygons, imageHeight, imageWidth),
            UncompressedRleSegmentation rle => new Rle(rle.Height, rle.Width, rle.Counts),
            CompressedRleSegmentation rle => Rle.FromCompressedString(rle.Counts, rle.Height, rle.Width),
            _ => throw new ArgumentException($"unsupported segmentation type {segmentation.GetType().Name}", nameof(segmentation)),
        };
    }

    /// <summary>Union of the polygons' masks (pycocotools frPyObjects then merge).</summary>
    public static Rle FromPolygons(IReadOnlyList<IReadOnlyList<double>> polygons, int imageHeight, int imageWidth)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 0)
        {
            return Rle.Empty(imageHeight, imageWidth);
        }

        // pycocotools' frPyObjects reads a list whose first entry has exactly four numbers as [x, y, w, h] boxes.
        bool readAsBoxes = polygons[0].Count == 4;
        var masks = new Rle[polygons.Count];
        for (int i = 0; i < polygons.Count; i++)
        {
            IReadOnlyList<double> p = polygons[i];
            if (readAsBoxes)
            {
                if (p.Count != 4)
                {
                    throw new ArgumentException(
                        $"polygon 0 has 4 numbers, so pycocotools reads all as boxes, but polygon {i} has {p.Count}", nameof(polygons));
                }

                masks[i] = Rle.FromBbox(new CocoBox(p[0], p[1], p[2], p[3]), imageHeight, imageWidth);
            }
            else
            {
                masks[i] = Rle.FromPolygon(p, imageHeight, imageWidth);
            }
        }

        return Rle.Merge(masks);
    }
}
