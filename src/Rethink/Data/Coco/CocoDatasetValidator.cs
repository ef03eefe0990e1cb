namespace Rethink.Data.Coco;

/// <summary>
/// Checks references between parsed records: duplicate ids, annotations of unknown images or categories,
/// RLE sizes that differ from their image, keypoint counts that differ from their category. When lenient,
/// the offending records are dropped (a record is dropped once however many problems it has).
/// </summary>
internal static class CocoDatasetValidator
{
    public static CocoDataset Validate(ParsedDataset parsed, JsonParseContext context)
    {
        var images = new List<CocoImage>(parsed.Images.Count);
        var imageById = new Dictionary<long, Located<CocoImage>>(parsed.Images.Count);
        int skippedImages = parsed.SkippedImages;
        foreach (Located<CocoImage> image in parsed.Images)
        {
            if (imageById.TryGetValue(image.Value.Id, out Located<CocoImage> first))
            {
                Report(context, CocoRecordKind.Image, image.Index, image.Value.Id, image.Offset, "id",
                    $"duplicate image id {image.Value.Id} (first used at index {first.Index})");
                skippedImages++;
                continue;
            }

            imageById.Add(image.Value.Id, image);
            images.Add(image.Value);
        }

        var categories = new List<CocoCategory>(parsed.Categories.Count);
        var categoryById = new Dictionary<long, Located<CocoCategory>>(parsed.Categories.Count);
        int skippedCategories = parsed.SkippedCategories;
        foreach (Located<CocoCategory> category in parsed.Categories)
        {
            if (categoryById.TryGetValue(category.Value.Id, out Located<CocoCategory> first))
            {
                Report(context, CocoRecordKind.Category, category.Index, category.Value.Id, category.Offset, "id",
                    $"duplicate category id {category.Value.Id} (first used at index {first.Index})");
                skippedCategories++;
                continue;
            }

            categoryById.Add(category.Value.Id, category);
            categories.Add(category.Value);
        }

        var annotations = new List<CocoAnnotation>(parsed.Annotations.Count);
        var annotationIndexById = new Dictionary<long, int>(parsed.Annotations.Count);
        int skippedAnnotations = parsed.SkippedAnnotations;
        foreach (Located<CocoAnnotation> located in parsed.Annotations)
        {
            CocoAnnotation a = located.Value;
            int before = context.Problems.Count;
            void Problem(string field, string message) =>
                Report(context, CocoRecordKind.Annotation, located.Index, a.Id, located.Offset, field, message);

            if (!annotationIndexById.TryAdd(a.Id, located.Index))
            {
                Problem("id", $"duplicate annotation id {a.Id} (first used at index {annotationIndexById[a.Id]})");
            }

            bool knownImage = imageById.TryGetValue(a.ImageId, out Located<CocoImage> image);
            if (!knownImage)
            {
                Problem("image_id", $"unknown image id {a.ImageId}: no valid image has this id");
            }

            if (!categoryById.TryGetValue(a.CategoryId, out Located<CocoCategory> category))
            {
                Problem("category_id", $"unknown category id {a.CategoryId}: no valid category has this id");
            }
            else if (a.Keypoints is not null && category.Value.Keypoints is { Count: > 0 } names && a.Keypoints.Count != names.Count * 3)
            {
                Problem("keypoints", $"has {a.Keypoints.Count / 3} keypoints but category {a.CategoryId} names {names.Count}");
            }

            if (knownImage && RleSize(a.Segmentation) is (int h, int w) && (h != image.Value.Height || w != image.Value.Width))
            {
                Problem("segmentation.size", $"RLE size [{h}, {w}] differs from image {a.ImageId}'s [{image.Value.Height}, {image.Value.Width}]");
            }

            if (context.Problems.Count != before)
            {
                skippedAnnotations++;
                continue;
            }

            annotations.Add(a);
        }

        var report = context.Problems.Count == 0
            ? CocoLoadReport.Clean
            : new CocoLoadReport(context.Problems.ToArray(), skippedImages, skippedAnnotations, skippedCategories);
        return new CocoDataset(images, annotations, categories, parsed.Info, parsed.Licenses)
        {
            SourceName = context.Source,
            LoadReport = report,
        };
    }

    /// <summary>The [height, width] an RLE segmentation declares, or null for polygons and none.</summary>
    internal static (int Height, int Width)? RleSize(CocoSegmentation? segmentation) => segmentation switch
    {
        CompressedRleSegmentation c => (c.Height, c.Width),
        UncompressedRleSegmentation u => (u.Height, u.Width),
        _ => null,
    };

    private static void Report(JsonParseContext context, CocoRecordKind kind, int index, long id, long offset, string field, string message) =>
        context.Report(new CocoProblem(context.Source, kind, index, id, field, message, context.LineAt(offset)));
}
