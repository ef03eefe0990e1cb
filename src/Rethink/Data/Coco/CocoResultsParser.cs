using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>
/// Streams a COCO results file (a top-level array of detections) with <see cref="Utf8JsonReader"/>, checking each
/// field and, when a ground truth is given, that every result names one of its images and categories.
/// </summary>
internal sealed class CocoResultsParser
{
    private readonly JsonParseContext _context;
    private readonly RecordProblems _problems = new();
    private readonly List<double> _numbers = [];
    private readonly SegmentationJsonReader _segmentation = new();
    private readonly Dictionary<long, CocoImage>? _images;
    private readonly HashSet<long>? _categories;
    private readonly string? _groundTruthName;

    private CocoResultsParser(JsonParseContext context, CocoDataset? groundTruth)
    {
        _context = context;
        if (groundTruth is not null)
        {
            _images = groundTruth.Images.ToDictionary(i => i.Id);
            _categories = groundTruth.Categories.Select(c => c.Id).ToHashSet();
            _groundTruthName = groundTruth.SourceName;
        }
    }

    public static CocoResults Parse(byte[] utf8, string source, CocoDataset? groundTruth, CocoLoadOptions options)
    {
        int start = JsonParseContext.ContentStart(utf8);
        var context = new JsonParseContext(utf8, start, source, options.SkipBadRecords);
        var parser = new CocoResultsParser(context, groundTruth);
        var detections = new List<CocoDetection>(EstimateCount(utf8.Length));
        int skipped = 0;
        if (utf8.AsSpan(start).IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            throw context.Fatal(string.Empty, "the file is empty; expected a JSON array of results");
        }

        try
        {
            var reader = new Utf8JsonReader(utf8.AsSpan(start), new JsonReaderOptions { MaxDepth = 64 });
            skipped = parser.ReadDocument(ref reader, detections);
        }
        catch (JsonException e)
        {
            throw context.Malformed(e);
        }

        var report = context.Problems.Count == 0
            ? CocoLoadReport.Clean
            : new CocoLoadReport(context.Problems.ToArray(), SkippedResults: skipped);
        return new CocoResults(detections, report) { SourceName = source };
    }

    private static int EstimateCount(int bytes) => Math.Min(bytes / 96, 4_000_000);

    private int ReadDocument(ref Utf8JsonReader r, List<CocoDetection> detections)
    {
        if (!r.Read())
        {
            throw _context.Fatal(string.Empty, "the file is empty; expected a JSON array of results");
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw _context.Fatal(string.Empty, $"expected a JSON array of results, got {JsonValueReader.Describe(ref r)}");
        }

        int index = 0, skipped = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            CocoDetection? detection = ReadResult(ref r, index);
            if (detection is null)
            {
                skipped++;
            }
            else
            {
                detections.Add(detection);
            }

            index++;
        }

        // Anything after the top-level array makes the reader throw here.
        r.Read();
        return skipped;
    }

    private CocoDetection? ReadResult(ref Utf8JsonReader r, int index)
    {
        long offset = r.TokenStartIndex;
        _problems.Clear();
        if (r.TokenType != JsonTokenType.StartObject)
        {
            _problems.Add(string.Empty, $"must be an object, got {JsonValueReader.Describe(ref r)}");
            JsonValueReader.SkipValue(ref r);
            _problems.ReportAll(_context, CocoRecordKind.Result, index, null, offset);
            return null;
        }

        long? imageId = null, categoryId = null;
        double? score = null;
        CocoBox? bbox = null;
        CocoSegmentation? segmentation = null;
        double[]? keypoints = null;
        bool sawImage = false, sawCategory = false, sawScore = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("image_id"u8))
            {
                r.Read();
                sawImage = true;
                imageId = JsonValueReader.ReadInteger(ref r, "image_id", _problems);
            }
            else if (r.ValueTextEquals("category_id"u8))
            {
                r.Read();
                sawCategory = true;
                categoryId = JsonValueReader.ReadInteger(ref r, "category_id", _problems);
            }
            else if (r.ValueTextEquals("bbox"u8))
            {
                r.Read();
                // A clipped detection may legitimately be empty, so zero width or height is allowed here.
                bbox = JsonValueReader.ReadBox(ref r, "bbox", _problems, _numbers, allowEmpty: true);
            }
            else if (r.ValueTextEquals("score"u8))
            {
                r.Read();
                sawScore = true;
                score = JsonValueReader.ReadNumber(ref r, "score", _problems);
            }
            else if (r.ValueTextEquals("segmentation"u8))
            {
                r.Read();
                segmentation = _segmentation.Read(ref r, _problems);
            }
            else if (r.ValueTextEquals("keypoints"u8))
            {
                r.Read();
                keypoints = JsonValueReader.ReadNumberArray(ref r, "keypoints", _problems, _numbers);
                if (keypoints is not null && keypoints.Length % 3 != 0)
                {
                    _problems.Add("keypoints", $"must be x, y, score triples, got {keypoints.Length} numbers");
                }
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        if (!sawImage)
        {
            _problems.Add("image_id", "missing required field");
        }

        if (!sawCategory)
        {
            _problems.Add("category_id", "missing required field");
        }

        if (!sawScore)
        {
            _problems.Add("score", "missing required field");
        }

        if (_problems.Count == 0 && bbox is null && segmentation is null && keypoints is null)
        {
            _problems.Add("bbox", "a result needs a bbox, a segmentation or keypoints; it has none");
        }

        if (_problems.Count == 0)
        {
            CheckAgainstGroundTruth(imageId!.Value, categoryId!.Value, segmentation);
        }

        if (_problems.Count != 0)
        {
            _problems.ReportAll(_context, CocoRecordKind.Result, index, null, offset);
            return null;
        }

        return new CocoDetection(imageId!.Value, categoryId!.Value, score!.Value, bbox, segmentation, keypoints);
    }

    private void CheckAgainstGroundTruth(long imageId, long categoryId, CocoSegmentation? segmentation)
    {
        if (_images is null)
        {
            return;
        }

        if (!_images.TryGetValue(imageId, out CocoImage? image))
        {
            _problems.Add("image_id", $"unknown image id {imageId}: not an image of the ground truth {_groundTruthName}");
        }
        else if (CocoDatasetValidator.RleSize(segmentation) is (int h, int w) && (h != image.Height || w != image.Width))
        {
            _problems.Add("segmentation.size", $"RLE size [{h}, {w}] differs from image {imageId}'s [{image.Height}, {image.Width}]");
        }

        if (!_categories!.Contains(categoryId))
        {
            _problems.Add("category_id", $"unknown category id {categoryId}: not a category of the ground truth {_groundTruthName}");
        }
    }
}
