using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>Bad results files: the message names the file, the result's index and the field.</summary>
public class CocoResultsErrorTests
{
    private const string Source = "bad-dets.json";

    private static readonly CocoDataset GroundTruth = CocoFile.Parse(
        """
        {"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
         "annotations": [{"id": 7, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 30], "area": 600, "iscrowd": 0}],
         "categories": [{"id": 3, "name": "cat"}]}
        """, "gt.json");

    private const string Good = """{"image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 30], "score": 0.9}""";

    private static CocoFormatException Fails(string json) =>
        Assert.Throws<CocoFormatException>(() => CocoResultsFile.Parse(json, Source, GroundTruth));

    private static void AssertNames(CocoFormatException e, params string[] parts)
    {
        Assert.Contains(Source, e.Message);
        foreach (string part in parts)
        {
            Assert.Contains(part, e.Message);
        }
    }

    [Fact]
    public void ValidResultsLoad()
    {
        CocoResults r = CocoResultsFile.Parse($"[{Good}, {Good}]", Source, GroundTruth);
        Assert.Equal(2, r.Detections.Count);
        Assert.Equal(new CocoBox(10, 10, 20, 30), r.Detections[0].Bbox);
    }

    [Fact]
    public void UnknownImageIdNamesTheIndex()
    {
        CocoFormatException e = Fails($"[{Good}, {Good.Replace("\"image_id\": 1", "\"image_id\": 42")}]");
        AssertNames(e, "result at index 1", "field 'image_id'", "unknown image id 42", "gt.json");
        Assert.Equal(1, e.Problem.Index);
        Assert.Equal(CocoRecordKind.Result, e.Problem.Kind);
    }

    [Fact]
    public void UnknownCategoryIdNamesTheIndex() =>
        AssertNames(Fails($"[{Good.Replace("\"category_id\": 3", "\"category_id\": 5")}]"), "result at index 0", "field 'category_id'", "unknown category id 5");

    [Fact]
    public void MissingScoreIsReported() =>
        AssertNames(Fails("""[{"image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2]}]"""), "result at index 0", "field 'score'", "missing required field");

    [Fact]
    public void ScoreOfWrongTypeIsReported() =>
        AssertNames(Fails($"[{Good.Replace("0.9", "\"high\"")}]"), "result at index 0", "field 'score'", "finite number", "\"high\"");

    [Fact]
    public void NegativeBoxSizeIsReported() =>
        AssertNames(Fails($"[{Good.Replace("[10, 10, 20, 30]", "[10, 10, -2, 30]")}]"), "result at index 0", "field 'bbox'", "negative");

    [Fact]
    public void ResultWithoutGeometryIsReported() =>
        AssertNames(Fails("""[{"image_id": 1, "category_id": 3, "score": 0.5}]"""), "result at index 0", "none");

    [Fact]
    public void MaskOfWrongSizeIsReported() =>
        AssertNames(
            Fails($$$"""[{"image_id": 1, "category_id": 3, "score": 0.5, "segmentation": {"size": [8, 10], "counts": "{{{Rethink.Data.Masks.Rle.Empty(8, 10).ToCompressedString()}}}"}}]"""),
            "result at index 0", "field 'segmentation.size'", "[8, 10]", "[80, 100]");

    [Fact]
    public void TopLevelObjectIsReported() => AssertNames(Fails("{}"), "expected a JSON array");

    [Fact]
    public void MalformedJsonIsReported() => AssertNames(Fails($"[{Good}, {{\"image_id\": ]"), "malformed JSON", "line 1");

    [Fact]
    public void WithoutGroundTruthImageIdsAreNotChecked() =>
        Assert.Single(CocoResultsFile.Parse($"[{Good.Replace("\"image_id\": 1", "\"image_id\": 42")}]", Source).Detections);

    [Fact]
    public void LenientLoadSkipsBadResults()
    {
        string json = $"[{Good}, {Good.Replace("\"image_id\": 1", "\"image_id\": 42")}, {Good.Replace("0.9", "null")}, {Good}]";
        CocoResults r = CocoResultsFile.Parse(json, Source, GroundTruth, CocoLoadOptions.Lenient);
        Assert.Equal(2, r.Detections.Count);
        Assert.Equal(2, r.LoadReport.SkippedResults);
        Assert.Equal([1, 2], r.LoadReport.Problems.Select(p => p.Index));
    }

    [Fact]
    public void EvaluatorRejectsResultsOfUnknownImagesLikeLoadRes()
    {
        var dets = new[] { new CocoDetection(42, 3, 0.5, new CocoBox(1, 1, 2, 2)) };
        ArgumentException e = Assert.Throws<ArgumentException>(() => CocoEvaluator.Evaluate(GroundTruth, dets, CocoIouType.Bbox));
        Assert.Contains("result 0", e.Message);
        Assert.Contains("42", e.Message);
    }
}
