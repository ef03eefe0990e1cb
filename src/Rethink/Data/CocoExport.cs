using Rethink.Runtime;
using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Data;

/// <summary>
/// Any detection source as a COCO dataset (ground truth for COCOeval, or a file to write): boxes, compressed-RLE
/// masks with their exact pixel areas, keypoints, crowd flags; category ids 1..K in label order.
/// </summary>
public static class CocoExport
{
    public static CocoDataset FromSource(IDetectionSource source, CocoInfo? info = null, IProgress<int>? progress = null)
    {
        var images = new CocoImage[source.Count];
        var perImage = new List<CocoAnnotation>[source.Count];
        int done = 0;
        ParallelWork.For(source.Count, Environment.ProcessorCount, i =>
        {
            var r = source[i];
            images[i] = new CocoImage(r.ImageId, Path.GetFileName(r.FileName), r.Width, r.Height);
            perImage[i] = ToAnnotations(r.ImageId, r.Height, r.Width, r.LoadAnnotations());
            int d = Interlocked.Increment(ref done);
            if (d % 500 == 0 || d == source.Count) progress?.Report(d);
        });
        return Assemble(images, perImage, source.CategoryNames, source.KeypointNames, info);
    }

    /// <summary>A dataset from images and their annotations; annotation ids are numbered 1.. in image order.</summary>
    public static CocoDataset Assemble(IReadOnlyList<CocoImage> images, IReadOnlyList<List<CocoAnnotation>> perImage,
        IReadOnlyList<string> categoryNames, IReadOnlyList<string>? keypointNames = null, CocoInfo? info = null)
    {
        long id = 0;
        var annotations = perImage.SelectMany(l => l).Select(a => a with { Id = ++id }).ToList();
        var categories = categoryNames.Select((n, i) => new CocoCategory(i + 1, n, "",
            keypointNames is { Count: > 0 } ? keypointNames : null)).ToList();
        return new CocoDataset(images, annotations, categories, info) { SourceName = "<export>" };
    }

    /// <summary>COCO annotations of one image (ids left 0): compressed RLE masks with their exact areas.</summary>
    public static List<CocoAnnotation> ToAnnotations(long imageId, int height, int width, IEnumerable<InstanceAnnotation> instances)
    {
        var list = new List<CocoAnnotation>();
        foreach (var a in instances)
        {
            CocoSegmentation? seg = null;
            double area = (a.X2 - a.X1) * (a.Y2 - a.Y1);
            if (a.Mask is not null)
            {
                var rle = Rle.Encode(a.Mask, height, width);
                seg = new CompressedRleSegmentation(height, width, rle.ToCompressedString());
                area = rle.Area;
            }
            IReadOnlyList<double>? kp = a.Keypoints?.Select(v => (double)v).ToArray();
            int? numKp = a.Keypoints is null ? null : Enumerable.Range(0, a.Keypoints.Length / 3).Count(j => a.Keypoints[3 * j + 2] > 0);
            list.Add(new CocoAnnotation(0, imageId, a.Label, new CocoBox(a.X1, a.Y1, a.X2 - a.X1, a.Y2 - a.Y1), area, a.Crowd, seg, kp, numKp));
        }
        return list;
    }
}
