using Rethink.Runtime;
using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Data;

/// <summary>
/// A COCO-format folder as a detection source: images under <c>imageDirectory</c>, categories mapped to contiguous
/// labels 1..K in id order, masks from polygons or RLE (pycocotools' annToRLE), keypoints, crowd flags. Images
/// without any non-crowd object can be left out for training, as Detectron2 does.
/// </summary>
public sealed class CocoDetectionSource : IDetectionSource
{
    readonly List<CocoImage> images;
    readonly CocoIndex index;
    readonly Dictionary<long, int> labelOf;

    public CocoDetectionSource(CocoDataset dataset, string imageDirectory, bool skipImagesWithoutObjects = false)
    {
        Dataset = dataset;
        ImageDirectory = imageDirectory;
        index = new CocoIndex(dataset);
        var categories = dataset.Categories.OrderBy(c => c.Id).ToList();
        labelOf = categories.Select((c, i) => (c.Id, i + 1)).ToDictionary(x => x.Id, x => x.Item2);
        CategoryIds = categories.Select(c => c.Id).ToList();
        CategoryNames = categories.Select(c => c.Name).ToList();
        images = dataset.Images.Where(im => !skipImagesWithoutObjects || index.AnnotationsOf(im.Id).Any(a => !a.IsCrowd)).ToList();
        var person = categories.FirstOrDefault(c => c.Keypoints is { Count: > 0 });
        KeypointNames = person?.Keypoints ?? [];
        KeypointFlipMap = FlipMap(KeypointNames);
    }

    /// <summary>Loads DIR/annotations.json with images in DIR/images (the layout `rethink data` writes), or an explicit pair.</summary>
    public static CocoDetectionSource Open(string annotations, string? imageDirectory = null, bool skipImagesWithoutObjects = false,
        CocoLoadOptions? options = null)
    {
        string file = Directory.Exists(annotations) ? Path.Combine(annotations, "annotations.json") : annotations;
        string dir = imageDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "images");
        return new CocoDetectionSource(CocoFile.Load(file, options), dir, skipImagesWithoutObjects);
    }

    public CocoDataset Dataset { get; }
    public string ImageDirectory { get; }
    /// <summary>COCO category id of label i + 1.</summary>
    public IReadOnlyList<long> CategoryIds { get; }
    public IReadOnlyList<string> CategoryNames { get; }
    public IReadOnlyList<string> KeypointNames { get; }
    public IReadOnlyList<int> KeypointFlipMap { get; }
    public int Count => images.Count;
    public IReadOnlyList<CocoImage> Images => images;

    public DetectionRecord this[int i]
    {
        get
        {
            var im = images[i];
            string path = Path.Combine(ImageDirectory, im.FileName);
            return new DetectionRecord(im.Id, path, im.Width, im.Height, () => ImageDecoder.Decode(path), () => Annotations(im));
        }
    }

    IReadOnlyList<InstanceAnnotation> Annotations(CocoImage im)
    {
        var list = new List<InstanceAnnotation>();
        foreach (var a in index.AnnotationsOf(im.Id))
        {
            byte[]? mask = a.Segmentation is null ? null : SegmentationRle.ToRle(a.Segmentation, im.Height, im.Width).Decode();
            float[]? kp = a.Keypoints is { Count: > 0 } k ? k.Select(v => (float)v).ToArray() : null;
            var b = a.Bbox;
            list.Add(new InstanceAnnotation(labelOf[a.CategoryId], (float)b.X, (float)b.Y, (float)(b.X + b.Width), (float)(b.Y + b.Height),
                mask, kp, a.IsCrowd));
        }
        return list;
    }

    /// <summary>Checks every image file exists and decodes; returns the problems (file, image id, reason).</summary>
    public IReadOnlyList<string> CheckImages(IProgress<int>? progress = null)
    {
        var problems = new System.Collections.Concurrent.ConcurrentBag<(int, string)>();
        int done = 0;
        ParallelWork.For(images.Count, Environment.ProcessorCount, i =>
        {
            var im = images[i];
            string path = Path.Combine(ImageDirectory, im.FileName);
            try
            {
                if (!File.Exists(path)) problems.Add((i, $"{path}: image {im.Id}: the file does not exist"));
                else
                {
                    using var codec = SkiaSharp.SKCodec.Create(path);
                    if (codec is null) problems.Add((i, $"{path}: image {im.Id}: not an image that can be decoded"));
                    else if (codec.Info.Width != im.Width || codec.Info.Height != im.Height)
                        problems.Add((i, $"{path}: image {im.Id}, field 'width/height': annotations say {im.Width}x{im.Height}, the file is {codec.Info.Width}x{codec.Info.Height}"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add((i, $"{path}: image {im.Id}: {e.Message}")); }
            int d = Interlocked.Increment(ref done);
            if (d % 500 == 0) progress?.Report(d);
        });
        return problems.OrderBy(p => p.Item1).Select(p => p.Item2).ToList();
    }

    /// <summary>Leaves out the images <see cref="CheckImages"/> reports; returns how many were dropped.</summary>
    public int DropBadImages(IReadOnlyList<string> problems)
    {
        var bad = images.Where(im => problems.Any(p => p.Contains($"image {im.Id}", StringComparison.Ordinal) &&
                                                       p.StartsWith(Path.Combine(ImageDirectory, im.FileName), StringComparison.Ordinal))).ToHashSet();
        images.RemoveAll(bad.Contains);
        return bad.Count;
    }

    /// <summary>For each keypoint, the index of its mirror (left_x / right_x), or itself.</summary>
    static IReadOnlyList<int> FlipMap(IReadOnlyList<string> names)
    {
        var map = new int[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            string n = names[i];
            string mirror = n.StartsWith("left_", StringComparison.Ordinal) ? "right_" + n[5..]
                : n.StartsWith("right_", StringComparison.Ordinal) ? "left_" + n[6..] : n;
            int j = -1;
            for (int k = 0; k < names.Count; k++) if (names[k] == mirror) j = k;
            map[i] = j >= 0 ? j : i;
        }
        return map;
    }
}
