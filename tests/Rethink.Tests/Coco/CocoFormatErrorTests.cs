using Rethink.Data.Coco;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>Every kind of bad ground-truth input gives a CocoFormatException naming file, record and field.</summary>
public class CocoFormatErrorTests
{
    private const string Source = "bad-gt.json";

    private const string Image = """{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}""";
    private const string Category = """{"id": 3, "name": "cat", "supercategory": "animal"}""";
    private const string Annotation =
        """{"id": 7, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 30], "area": 600, "iscrowd": 0, "segmentation": [[10, 10, 30, 10, 30, 40, 10, 40]]}""";

    private static string Gt(string? images = null, string? annotations = null, string? categories = null) =>
        $$"""
        {
          "images": [{{images ?? Image}}],
          "annotations": [{{annotations ?? Annotation}}],
          "categories": [{{categories ?? Category}}]
        }
        """;

    private static CocoFormatException Fails(string json) =>
        Assert.Throws<CocoFormatException>(() => CocoFile.Parse(json, Source));

    private static void AssertNames(CocoFormatException e, params string[] parts)
    {
        Assert.Contains(Source, e.Message);
        foreach (string part in parts)
        {
            Assert.Contains(part, e.Message);
        }
    }

    [Fact]
    public void ValidFileLoads()
    {
        CocoDataset d = CocoFile.Parse(Gt(), Source);
        Assert.Single(d.Images);
        Assert.Single(d.Annotations);
        Assert.True(d.LoadReport.IsClean);
        Assert.Equal(new CocoBox(10, 10, 20, 30), d.Annotations[0].Bbox);
    }

    [Fact]
    public void MalformedJsonNamesLineAndPosition()
    {
        string json = "{\n  \"images\": [\n    {\"id\": 1,, \"width\": 3}\n  ]\n}";
        CocoFormatException e = Fails(json);
        AssertNames(e, "malformed JSON", "line 3");
        Assert.Equal(CocoRecordKind.File, e.Problem.Kind);
    }

    [Fact]
    public void TruncatedFileIsMalformed() => AssertNames(Fails(Gt()[..^10]), "malformed JSON");

    [Fact]
    public void TrailingGarbageIsMalformed() => AssertNames(Fails(Gt() + " ]"), "malformed JSON");

    [Fact]
    public void EmptyFileIsReported() => AssertNames(Fails("   "), "empty");

    [Fact]
    public void TopLevelArrayIsReported() => AssertNames(Fails("[]"), "expected a JSON object", "results file");

    [Fact]
    public void MissingImagesSectionIsReported() =>
        AssertNames(Fails("""{"annotations": [], "categories": []}"""), "'images'", "missing required field");

    [Fact]
    public void SectionOfWrongTypeIsReported() =>
        AssertNames(Fails("""{"images": {}, "annotations": [], "categories": []}"""), "'images'", "must be an array");

    [Fact]
    public void MissingRequiredAnnotationFieldNamesIdAndField()
    {
        CocoFormatException e = Fails(Gt(annotations: """{"id": 7, "image_id": 1, "category_id": 3, "area": 600}"""));
        AssertNames(e, "annotation id 7", "field 'bbox'", "missing required field");
        Assert.Equal(7, e.Problem.Id);
        Assert.Equal("bbox", e.Problem.Field);
        Assert.Equal(CocoRecordKind.Annotation, e.Problem.Kind);
        Assert.NotNull(e.Problem.Line);
    }

    [Fact]
    public void MissingIdNamesTheIndex()
    {
        CocoFormatException e = Fails(Gt(annotations: Annotation + """, {"image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2], "area": 4}"""));
        AssertNames(e, "annotation at index 1", "field 'id'", "missing required field");
        Assert.Null(e.Problem.Id);
        Assert.Equal(1, e.Problem.Index);
    }

    [Fact]
    public void MissingImageFieldNamesImage() =>
        AssertNames(Fails(Gt(images: """{"id": 1, "file_name": "a.jpg", "width": 100}""")), "image id 1", "field 'height'", "missing required field");

    [Fact]
    public void MissingCategoryNameNamesCategory() =>
        AssertNames(Fails(Gt(categories: """{"id": 3}""")), "category id 3", "field 'name'", "missing required field");

    [Fact]
    public void WrongTypeNamesTheValue() =>
        AssertNames(Fails(Gt(images: """{"id": 1, "file_name": "a.jpg", "width": "wide", "height": 80}""")), "image id 1", "field 'width'", "must be an integer", "\"wide\"");

    [Fact]
    public void FractionalIdIsWrongType() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"id\": 7", "\"id\": 7.5"))), "annotation at index 0", "field 'id'", "integer", "7.5");

    [Fact]
    public void WrongTypeInsideBox() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("[10, 10, 20, 30]", "[10, \"x\", 20, 30]"))), "annotation id 7", "field 'bbox'", "element 1");

    [Fact]
    public void BoxNeedsFourNumbers() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("[10, 10, 20, 30]", "[10, 10, 20]"))), "annotation id 7", "field 'bbox'", "4 numbers");

    [Theory]
    [InlineData("[10, 10, 0, 30]")]
    [InlineData("[10, 10, 20, -1]")]
    public void NonPositiveBoxSizeIsReported(string box) =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("[10, 10, 20, 30]", box))), "annotation id 7", "field 'bbox'", "must be positive");

    [Fact]
    public void NegativeAreaIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"area\": 600", "\"area\": -5"))), "annotation id 7", "field 'area'", "negative");

    [Fact]
    public void NonPositiveImageSizeIsReported() =>
        AssertNames(Fails(Gt(images: """{"id": 1, "file_name": "a.jpg", "width": 0, "height": 80}""")), "image id 1", "field 'width'", "positive");

    [Fact]
    public void CrowdFlagMustBeZeroOrOne() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"iscrowd\": 0", "\"iscrowd\": 2"))), "annotation id 7", "field 'iscrowd'", "0 or 1");

    [Fact]
    public void UnknownImageIdIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"image_id\": 1", "\"image_id\": 99"))), "annotation id 7", "field 'image_id'", "unknown image id 99");

    [Fact]
    public void UnknownCategoryIdIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"category_id\": 3", "\"category_id\": 4"))), "annotation id 7", "field 'category_id'", "unknown category id 4");

    [Fact]
    public void DuplicateImageIdIsReported() =>
        AssertNames(Fails(Gt(images: Image + ", " + Image.Replace("a.jpg", "b.jpg"))), "image id 1 (index 1)", "field 'id'", "duplicate image id 1", "index 0");

    [Fact]
    public void DuplicateAnnotationIdIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation + ", " + Annotation)), "annotation id 7 (index 1)", "field 'id'", "duplicate annotation id 7");

    [Fact]
    public void DuplicateCategoryIdIsReported() =>
        AssertNames(Fails(Gt(categories: Category + ", " + Category.Replace("cat", "dog"))), "category id 3 (index 1)", "field 'id'", "duplicate category id 3");

    [Fact]
    public void OddPolygonIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("30, 40, 10, 40]", "30, 40, 10]"))), "annotation id 7", "field 'segmentation[0]'", "odd");

    [Fact]
    public void RleCountsMustCoverTheMask() =>
        AssertNames(
            Fails(Gt(annotations: Annotation.Replace("[[10, 10, 30, 10, 30, 40, 10, 40]]", """{"size": [80, 100], "counts": [10, 20]}"""))),
            "annotation id 7", "field 'segmentation.counts'", "add up to 30", "8000");

    [Fact]
    public void CompressedRleWithBadCharacterIsReported() =>
        AssertNames(
            Fails(Gt(annotations: Annotation.Replace("[[10, 10, 30, 10, 30, 40, 10, 40]]", """{"size": [80, 100], "counts": "ab~"}"""))),
            "annotation id 7", "field 'segmentation.counts'", "character '~'");

    [Fact]
    public void RleSizeMustMatchItsImage() =>
        AssertNames(
            Fails(Gt(annotations: Annotation.Replace("[[10, 10, 30, 10, 30, 40, 10, 40]]", """{"size": [10, 10], "counts": [100]}"""))),
            "annotation id 7", "field 'segmentation.size'", "[10, 10]", "[80, 100]");

    [Fact]
    public void RleNeedsSize() =>
        AssertNames(
            Fails(Gt(annotations: Annotation.Replace("[[10, 10, 30, 10, 30, 40, 10, 40]]", """{"counts": [8000]}"""))),
            "annotation id 7", "field 'segmentation.size'", "missing");

    [Fact]
    public void KeypointsMustBeTriples() =>
        AssertNames(Fails(Gt(annotations: Annotation.Replace("\"iscrowd\": 0", "\"iscrowd\": 0, \"keypoints\": [1, 2, 2, 4]"))), "annotation id 7", "field 'keypoints'", "triples");

    [Fact]
    public void RecordThatIsNotAnObjectIsReported() =>
        AssertNames(Fails(Gt(annotations: Annotation + ", 42")), "annotation at index 1", "must be an object");

    [Fact]
    public void LoadNamesThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rethink-coco-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Gt(annotations: Annotation.Replace("\"image_id\": 1", "\"image_id\": 5")));
        try
        {
            CocoFormatException e = Assert.Throws<CocoFormatException>(() => CocoFile.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("annotation id 7", e.Message);
            Assert.Contains("'image_id'", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LenientLoadSkipsAndReportsBadRecords()
    {
        string json = Gt(
            images: Image + """, {"id": 2, "file_name": "b.jpg", "width": -4, "height": 80}""",
            annotations: string.Join(", ",
                Annotation,
                Annotation.Replace("\"id\": 7", "\"id\": 8").Replace("[10, 10, 20, 30]", "[10, 10, 0, 30]"),
                Annotation.Replace("\"id\": 7", "\"id\": 9").Replace("\"image_id\": 1", "\"image_id\": 2"),
                Annotation.Replace("\"id\": 7", "\"id\": 10").Replace("\"category_id\": 3", "\"category_id\": 77"),
                Annotation.Replace("\"id\": 7", "\"id\": 11")));
        CocoDataset d = CocoFile.Parse(json, Source, CocoLoadOptions.Lenient);
        Assert.Equal([1L], d.Images.Select(i => i.Id));
        Assert.Equal([7L, 11L], d.Annotations.Select(a => a.Id));
        CocoLoadReport report = d.LoadReport;
        Assert.Equal(1, report.SkippedImages);
        Assert.Equal(3, report.SkippedAnnotations);
        Assert.Equal(4, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Kind == CocoRecordKind.Image && p.Id == 2 && p.Field == "width");
        Assert.Contains(report.Problems, p => p.Id == 8 && p.Field == "bbox");
        Assert.Contains(report.Problems, p => p.Id == 9 && p.Field == "image_id" && p.ToString().Contains("unknown image id 2"));
        Assert.Contains(report.Problems, p => p.Id == 10 && p.Field == "category_id");
        Assert.All(report.Problems, p => Assert.StartsWith(Source, p.ToString()));
    }

    [Fact]
    public void LenientLoadStillRejectsMalformedJson() =>
        Assert.Throws<CocoFormatException>(() => CocoFile.Parse("{\"images\": [", Source, CocoLoadOptions.Lenient));
}
