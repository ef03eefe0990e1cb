using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>Reading the reference files, writing them back, and the index.</summary>
public class CocoFileTests
{
    private static CocoDataset Case(string name) => CocoFile.Load(FixturePaths.Of("coco-eval", name, "gt.json"));

    [Fact]
    public void ReferenceGroundTruthLoadsWithAllForms()
    {
        CocoDataset gt = Case("case01");
        Assert.Equal(25, gt.Images.Count);
        Assert.Equal(169, gt.Annotations.Count);
        Assert.Equal(3, gt.Categories.Count);
        Assert.Contains(gt.Annotations, a => a.IsCrowd && a.Segmentation is CompressedRleSegmentation);
        Assert.Contains(gt.Annotations, a => a.Segmentation is PolygonSegmentation);
        Assert.Contains(gt.Annotations, a => a.Ignore == true);
        Assert.Equal(1000, gt.Images[0].Id);
        Assert.EndsWith("gt.json", gt.SourceName);
    }

    [Fact]
    public void SavedDatasetReadsBackEqual()
    {
        CocoDataset gt = Case("case03");
        string path = Path.Combine(Path.GetTempPath(), $"rethink-coco-{Guid.NewGuid():N}.json");
        try
        {
            gt.Save(path);
            CocoDataset back = CocoFile.Load(path);
            Assert.Equal(gt.Images, back.Images);
            Assert.Equal(gt.Annotations, back.Annotations);
            Assert.Equal(gt.Categories, back.Categories);
            Assert.Equal(gt.Info, back.Info);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KeypointFieldsRoundTrip()
    {
        var category = new CocoCategory(1, "person", "person", ["nose", "eye"], [new KeypointLink(1, 2)]);
        var annotation = new CocoAnnotation(5, 1, 1, new CocoBox(1, 2, 3, 4), 12, Keypoints: [1, 2, 2, 3, 4, 0], NumKeypoints: 1,
            Segmentation: new UncompressedRleSegmentation(10, 10, [10, 5, 85]));
        var dataset = new CocoDataset([new CocoImage(1, "p.jpg", 10, 10)], [annotation], [category], new CocoInfo("d", Year: 2017));
        CocoDataset back = CocoFile.Parse(CocoFile.ToJson(dataset));
        CocoAnnotation a = back.Annotations.Single();
        Assert.Equal(annotation.Keypoints, a.Keypoints);
        Assert.Equal(1, a.NumKeypoints);
        Assert.Equal(annotation.Segmentation, a.Segmentation);
        Assert.Equal(category.Keypoints, back.Categories[0].Keypoints);
        Assert.Equal(category.Skeleton, back.Categories[0].Skeleton);
        Assert.Equal(2017, back.Info!.Year);
    }

    [Fact]
    public void ResultsRoundTripAndEvaluateTheSame()
    {
        CocoDataset gt = Case("case02");
        CocoResults results = CocoResultsFile.Load(FixturePaths.Of("coco-eval", "case02", "dets_segm.json"), gt);
        CocoResults back = CocoResultsFile.Parse(CocoResultsFile.ToJson(results.Detections), "back.json", gt);
        Assert.Equal(results.Detections, back.Detections);
        Assert.Equal(CocoEvaluator.Evaluate(gt, results.Detections, CocoIouType.Segm).Stats,
                     CocoEvaluator.Evaluate(gt, back.Detections, CocoIouType.Segm).Stats);
    }

    [Fact]
    public void IndexAnswersLookups()
    {
        CocoDataset gt = Case("case00");
        var index = new CocoIndex(gt);
        Assert.Equal(gt.Images.Select(i => i.Id).Order(), index.ImageIds);
        Assert.Equal([1L, 4, 7, 10, 13, 16], index.CategoryIds);
        Assert.Equal("c0", index.CategoryName(1));
        Assert.Equal("999", index.CategoryName(999));
        Assert.Null(index.FindImage(-5));
        IReadOnlyList<CocoAnnotation> ofImage = index.AnnotationsOf(1000);
        Assert.Equal(gt.Annotations.Where(a => a.ImageId == 1000), ofImage);
        Assert.All(index.AnnotationsOf(1000, 4), a => Assert.Equal(4, a.CategoryId));
        Assert.Same(gt.Annotations[0], index.FindAnnotation(gt.Annotations[0].Id));
        Assert.Contains(1000L, index.ImagesWithCategory(4));
        Assert.Empty(index.AnnotationsOf(123456));
    }

    [Fact]
    public void SegmResultsWithBoxesTakeBoxAreasAsLoadResDoes()
    {
        // A large box around a tiny mask: loadRes's bbox branch gives area w*h, so the unmatched detection is
        // counted in the "large" range and lowers AP there; without the box its mask area puts it in "small".
        CocoDataset gt = new(
            [new CocoImage(1, "a", 300, 300)],
            [new CocoAnnotation(1, 1, 1, new CocoBox(0, 0, 200, 200), 40000, Segmentation: new PolygonSegmentation([[0, 0, 0, 200, 200, 200, 200, 0]]))],
            [new CocoCategory(1, "x")]);
        string tiny = global::Rethink.Data.Masks.Rle.FromBbox(new CocoBox(250, 250, 3, 3), 300, 300).ToCompressedString();
        string whole = global::Rethink.Data.Masks.Rle.FromBbox(new CocoBox(0, 0, 200, 200), 300, 300).ToCompressedString();
        CocoDetection Hit(CocoBox? box) => new(1, 1, 0.5, box, new CompressedRleSegmentation(300, 300, whole));
        CocoDetection Miss(CocoBox? box) => new(1, 1, 0.9, box, new CompressedRleSegmentation(300, 300, tiny));
        double largeWithBoxes = CocoEvaluator.Evaluate(gt, [Miss(new CocoBox(100, 100, 150, 150)), Hit(new CocoBox(0, 0, 200, 200))], CocoIouType.Segm).Stats[5];
        double largeWithoutBoxes = CocoEvaluator.Evaluate(gt, [Miss(null), Hit(null)], CocoIouType.Segm).Stats[5];
        Assert.True(largeWithBoxes < largeWithoutBoxes, $"{largeWithBoxes} vs {largeWithoutBoxes}");
        Assert.Equal(1.0, largeWithoutBoxes, 12);
    }
}
