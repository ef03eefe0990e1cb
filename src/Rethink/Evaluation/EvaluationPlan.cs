using Rethink.Data.Coco;

namespace Rethink.Evaluation;

/// <summary>
/// Ground truth and detections grouped per (image, category) as COCOeval._prepare does: images and categories
/// sorted ascending, each group in file order. Groups are stored flat (compressed rows) keyed by
/// image index * categories + category index, so per-image work can run in parallel without sharing.
/// </summary>
internal sealed class EvaluationPlan
{
    private EvaluationPlan(
        CocoEvalParams parameters,
        long[] imageIds,
        long[] categoryIds,
        CocoImage?[] images,
        IReadOnlyList<CocoAnnotation> groundTruth,
        IReadOnlyList<CocoDetection> detections,
        int[] gtStart,
        int[] gtItems,
        int[] dtStart,
        int[] dtItems,
        ResultBranch branch)
    {
        Params = parameters;
        ImageIds = imageIds;
        CategoryIds = categoryIds;
        Images = images;
        GroundTruth = groundTruth;
        Detections = detections;
        GtStart = gtStart;
        GtItems = gtItems;
        DtStart = dtStart;
        DtItems = dtItems;
        Branch = branch;
    }

    public CocoEvalParams Params { get; }

    public long[] ImageIds { get; }

    public long[] CategoryIds { get; }

    /// <summary>The ground-truth image of each evaluated image id (null if the id is not in the ground truth).</summary>
    public CocoImage?[] Images { get; }

    public IReadOnlyList<CocoAnnotation> GroundTruth { get; }

    public IReadOnlyList<CocoDetection> Detections { get; }

    /// <summary>Group g's annotations are GtItems[GtStart[g] .. GtStart[g + 1]) (indices into GroundTruth).</summary>
    public int[] GtStart { get; }

    public int[] GtItems { get; }

    /// <summary>Group g's detections are DtItems[DtStart[g] .. DtStart[g + 1]) (indices into Detections).</summary>
    public int[] DtStart { get; }

    public int[] DtItems { get; }

    public ResultBranch Branch { get; }

    public int ImageCount => ImageIds.Length;

    public int CategoryCount => CategoryIds.Length;

    public static EvaluationPlan Build(CocoDataset groundTruth, IReadOnlyList<CocoDetection> detections, CocoEvalParams parameters)
    {
        long[] imageIds = (parameters.ImageIds ?? groundTruth.Images.Select(i => i.Id).ToArray()).Distinct().Order().ToArray();
        long[] categoryIds = (parameters.CategoryIds ?? groundTruth.Categories.Select(c => c.Id).ToArray()).Distinct().Order().ToArray();
        var imageIndex = new Dictionary<long, int>(imageIds.Length);
        for (int i = 0; i < imageIds.Length; i++)
        {
            imageIndex[imageIds[i]] = i;
        }

        var categoryIndex = new Dictionary<long, int>(categoryIds.Length);
        for (int k = 0; k < categoryIds.Length; k++)
        {
            categoryIndex[categoryIds[k]] = k;
        }

        var allImages = new Dictionary<long, CocoImage>(groundTruth.Images.Count);
        foreach (CocoImage image in groundTruth.Images)
        {
            allImages.TryAdd(image.Id, image);
        }

        var images = imageIds.Select(id => allImages.GetValueOrDefault(id)).ToArray();
        int groups = imageIds.Length * categoryIds.Length;

        var gtGroup = new int[groundTruth.Annotations.Count];
        for (int a = 0; a < gtGroup.Length; a++)
        {
            CocoAnnotation ann = groundTruth.Annotations[a];
            gtGroup[a] = GroupOf(imageIndex, categoryIndex, categoryIds.Length, ann.ImageId, ann.CategoryId);
        }

        // pycocotools' loadRes asserts that every result is of a ground-truth image.
        var dtGroup = new int[detections.Count];
        for (int d = 0; d < dtGroup.Length; d++)
        {
            CocoDetection det = detections[d];
            if (!allImages.ContainsKey(det.ImageId))
            {
                throw new ArgumentException(
                    $"result {d} is of image id {det.ImageId}, which is not in the ground truth {groundTruth.SourceName}", nameof(detections));
            }

            dtGroup[d] = GroupOf(imageIndex, categoryIndex, categoryIds.Length, det.ImageId, det.CategoryId);
        }

        (int[] gtStart, int[] gtItems) = GroupStable(gtGroup, groups);
        (int[] dtStart, int[] dtItems) = GroupStable(dtGroup, groups);
        return new EvaluationPlan(
            parameters, imageIds, categoryIds, images, groundTruth.Annotations, detections,
            gtStart, gtItems, dtStart, dtItems, ResultBranches.Of(detections));
    }

    private static int GroupOf(Dictionary<long, int> imageIndex, Dictionary<long, int> categoryIndex, int categories, long imageId, long categoryId) =>
        imageIndex.TryGetValue(imageId, out int i) && categoryIndex.TryGetValue(categoryId, out int k) ? (i * categories) + k : -1;

    /// <summary>Counting sort of item indices by group, keeping file order inside each group; group -1 is dropped.</summary>
    private static (int[] Start, int[] Items) GroupStable(int[] groupOfItem, int groups)
    {
        var start = new int[groups + 1];
        int kept = 0;
        foreach (int g in groupOfItem)
        {
            if (g >= 0)
            {
                start[g + 1]++;
                kept++;
            }
        }

        for (int g = 0; g < groups; g++)
        {
            start[g + 1] += start[g];
        }

        var items = new int[kept];
        var fill = start.AsSpan(0, groups).ToArray();
        for (int item = 0; item < groupOfItem.Length; item++)
        {
            int g = groupOfItem[item];
            if (g >= 0)
            {
                items[fill[g]++] = item;
            }
        }

        return (start, items);
    }
}
