using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>
/// Streams a COCO ground-truth file with <see cref="Utf8JsonReader"/> into records, checking each field's type and
/// range; references between records are checked afterwards by <see cref="CocoDatasetValidator"/>.
/// </summary>
internal sealed class CocoDatasetParser
{
    private readonly JsonParseContext _context;
    private readonly RecordProblems _problems = new();
    private readonly List<double> _numbers = [];
    private readonly SegmentationJsonReader _segmentation = new();

    private CocoDatasetParser(JsonParseContext context) => _context = context;

    public static CocoDataset Parse(byte[] utf8, string source, CocoLoadOptions options)
    {
        int start = JsonParseContext.ContentStart(utf8);
        var context = new JsonParseContext(utf8, start, source, options.SkipBadRecords);
        var parser = new CocoDatasetParser(context);
        var parsed = new ParsedDataset();
        if (utf8.AsSpan(start).IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            throw context.Fatal(string.Empty, "the file is empty; expected a JSON object with images, annotations and categories");
        }

        try
        {
            var reader = new Utf8JsonReader(utf8.AsSpan(start), new JsonReaderOptions { MaxDepth = 64 });
            parser.ReadDocument(ref reader, parsed);
        }
        catch (JsonException e)
        {
            throw context.Malformed(e);
        }

        return CocoDatasetValidator.Validate(parsed, context);
    }

    private void ReadDocument(ref Utf8JsonReader r, ParsedDataset parsed)
    {
        if (!r.Read())
        {
            throw _context.Fatal(string.Empty, "the file is empty; expected a JSON object with images, annotations and categories");
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            string hint = r.TokenType == JsonTokenType.StartArray ? " (a top-level array looks like a results file)" : string.Empty;
            throw _context.Fatal(string.Empty, $"expected a JSON object with images, annotations and categories, got {JsonValueReader.Describe(ref r)}{hint}");
        }

        bool sawImages = false, sawCategories = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("images"u8))
            {
                r.Read();
                sawImages = true;
                ReadArray(ref r, "images", parsed, static (p, ref reader, index, d) => p.ReadImage(ref reader, index, d));
            }
            else if (r.ValueTextEquals("annotations"u8))
            {
                r.Read();
                ReadArray(ref r, "annotations", parsed, static (p, ref reader, index, d) => p.ReadAnnotation(ref reader, index, d));
            }
            else if (r.ValueTextEquals("categories"u8))
            {
                r.Read();
                sawCategories = true;
                ReadArray(ref r, "categories", parsed, static (p, ref reader, index, d) => p.ReadCategory(ref reader, index, d));
            }
            else if (r.ValueTextEquals("licenses"u8))
            {
                r.Read();
                parsed.Licenses = [];
                ReadArray(ref r, "licenses", parsed, static (p, ref reader, index, d) => p.ReadLicense(ref reader, index, d));
            }
            else if (r.ValueTextEquals("info"u8))
            {
                r.Read();
                parsed.Info = ReadInfo(ref r);
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        // Anything after the top-level object makes the reader throw here.
        r.Read();

        if (!sawImages)
        {
            throw _context.Fatal("images", "missing required field of the top-level object");
        }

        if (!sawCategories)
        {
            throw _context.Fatal("categories", "missing required field of the top-level object");
        }
    }

    private delegate void RecordReader(CocoDatasetParser parser, ref Utf8JsonReader r, int index, ParsedDataset parsed);

    private void ReadArray(ref Utf8JsonReader r, string field, ParsedDataset parsed, RecordReader read)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw _context.Fatal(field, $"must be an array, got {JsonValueReader.Describe(ref r)}", r.TokenStartIndex);
        }

        int index = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            read(this, ref r, index, parsed);
            index++;
        }
    }

    private bool ExpectObject(ref Utf8JsonReader r, CocoRecordKind kind, int index)
    {
        if (r.TokenType == JsonTokenType.StartObject)
        {
            _problems.Clear();
            return true;
        }

        long offset = r.TokenStartIndex;
        string got = JsonValueReader.Describe(ref r);
        JsonValueReader.SkipValue(ref r);
        _context.Report(new CocoProblem(_context.Source, kind, index, null, string.Empty, $"must be an object, got {got}", _context.LineAt(offset)));
        return false;
    }

    private void ReadImage(ref Utf8JsonReader r, int index, ParsedDataset parsed)
    {
        long offset = r.TokenStartIndex;
        if (!ExpectObject(ref r, CocoRecordKind.Image, index))
        {
            parsed.SkippedImages++;
            return;
        }

        long? id = null;
        string? fileName = null;
        int? width = null, height = null;
        bool sawId = false, sawFile = false, sawWidth = false, sawHeight = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                sawId = true;
                id = JsonValueReader.ReadInteger(ref r, "id", _problems);
            }
            else if (r.ValueTextEquals("file_name"u8))
            {
                r.Read();
                sawFile = true;
                fileName = JsonValueReader.ReadString(ref r, "file_name", _problems);
            }
            else if (r.ValueTextEquals("width"u8))
            {
                r.Read();
                sawWidth = true;
                width = ReadPositiveSize(ref r, "width");
            }
            else if (r.ValueTextEquals("height"u8))
            {
                r.Read();
                sawHeight = true;
                height = ReadPositiveSize(ref r, "height");
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        Require(sawId, "id");
        Require(sawFile, "file_name");
        Require(sawWidth, "width");
        Require(sawHeight, "height");
        if (Finish(CocoRecordKind.Image, index, id, offset))
        {
            parsed.Images.Add(new(new CocoImage(id!.Value, fileName!, width!.Value, height!.Value), index, offset));
        }
        else
        {
            parsed.SkippedImages++;
        }
    }

    private void ReadCategory(ref Utf8JsonReader r, int index, ParsedDataset parsed)
    {
        long offset = r.TokenStartIndex;
        if (!ExpectObject(ref r, CocoRecordKind.Category, index))
        {
            parsed.SkippedCategories++;
            return;
        }

        long? id = null;
        string? name = null;
        string supercategory = string.Empty;
        List<string>? keypoints = null;
        List<KeypointLink>? skeleton = null;
        bool sawId = false, sawName = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                sawId = true;
                id = JsonValueReader.ReadInteger(ref r, "id", _problems);
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                sawName = true;
                name = JsonValueReader.ReadString(ref r, "name", _problems);
            }
            else if (r.ValueTextEquals("supercategory"u8))
            {
                r.Read();
                supercategory = JsonValueReader.ReadOptionalString(ref r, "supercategory", _problems) ?? string.Empty;
            }
            else if (r.ValueTextEquals("keypoints"u8))
            {
                r.Read();
                keypoints = ReadKeypointNames(ref r);
            }
            else if (r.ValueTextEquals("skeleton"u8))
            {
                r.Read();
                skeleton = ReadSkeleton(ref r);
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        Require(sawId, "id");
        Require(sawName, "name");
        if (Finish(CocoRecordKind.Category, index, id, offset))
        {
            parsed.Categories.Add(new(new CocoCategory(id!.Value, name!, supercategory, keypoints, skeleton), index, offset));
        }
        else
        {
            parsed.SkippedCategories++;
        }
    }

    private void ReadLicense(ref Utf8JsonReader r, int index, ParsedDataset parsed)
    {
        long offset = r.TokenStartIndex;
        if (!ExpectObject(ref r, CocoRecordKind.License, index))
        {
            return;
        }

        long? id = null;
        string? name = null, url = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                id = JsonValueReader.ReadInteger(ref r, "id", _problems);
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = JsonValueReader.ReadOptionalString(ref r, "name", _problems);
            }
            else if (r.ValueTextEquals("url"u8))
            {
                r.Read();
                url = JsonValueReader.ReadOptionalString(ref r, "url", _problems);
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        // Licenses do not affect evaluation: keep what is readable, report the rest.
        if (Finish(CocoRecordKind.License, index, id, offset) && id is long licenseId)
        {
            parsed.Licenses!.Add(new CocoLicense(licenseId, name ?? string.Empty, url));
        }
    }

    private void ReadAnnotation(ref Utf8JsonReader r, int index, ParsedDataset parsed)
    {
        long offset = r.TokenStartIndex;
        if (!ExpectObject(ref r, CocoRecordKind.Annotation, index))
        {
            parsed.SkippedAnnotations++;
            return;
        }

        long? id = null, imageId = null, categoryId = null;
        CocoBox? bbox = null;
        double? area = null;
        bool? isCrowd = false, ignore = null;
        CocoSegmentation? segmentation = null;
        double[]? keypoints = null;
        int? numKeypoints = null;
        bool sawId = false, sawImage = false, sawCategory = false, sawBox = false, sawArea = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                sawId = true;
                id = JsonValueReader.ReadInteger(ref r, "id", _problems);
            }
            else if (r.ValueTextEquals("image_id"u8))
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
                sawBox = true;
                bbox = JsonValueReader.ReadBox(ref r, "bbox", _problems, _numbers, allowEmpty: false);
            }
            else if (r.ValueTextEquals("area"u8))
            {
                r.Read();
                sawArea = true;
                area = JsonValueReader.ReadNumber(ref r, "area", _problems);
                if (area < 0)
                {
                    _problems.Add("area", $"must not be negative, got {area}");
                }
            }
            else if (r.ValueTextEquals("iscrowd"u8))
            {
                r.Read();
                isCrowd = JsonValueReader.ReadFlag(ref r, "iscrowd", _problems);
            }
            else if (r.ValueTextEquals("ignore"u8))
            {
                r.Read();
                ignore = JsonValueReader.ReadFlag(ref r, "ignore", _problems);
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
                    _problems.Add("keypoints", $"must be x, y, visibility triples, got {keypoints.Length} numbers");
                }
            }
            else if (r.ValueTextEquals("num_keypoints"u8))
            {
                r.Read();
                numKeypoints = JsonValueReader.ReadInt32(ref r, "num_keypoints", _problems);
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        Require(sawId, "id");
        Require(sawImage, "image_id");
        Require(sawCategory, "category_id");
        Require(sawBox, "bbox");
        Require(sawArea, "area");
        if (Finish(CocoRecordKind.Annotation, index, id, offset))
        {
            var annotation = new CocoAnnotation(
                id!.Value, imageId!.Value, categoryId!.Value, bbox!.Value, area!.Value, isCrowd ?? false,
                segmentation, keypoints, numKeypoints, ignore);
            parsed.Annotations.Add(new(annotation, index, offset));
        }
        else
        {
            parsed.SkippedAnnotations++;
        }
    }

    private int? ReadPositiveSize(ref Utf8JsonReader r, string field)
    {
        int? value = JsonValueReader.ReadInt32(ref r, field, _problems);
        if (value <= 0)
        {
            _problems.Add(field, $"must be a positive number of pixels, got {value}");
            return null;
        }

        return value;
    }

    private List<string>? ReadKeypointNames(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            _problems.Add("keypoints", $"must be an array of keypoint names, got {JsonValueReader.Describe(ref r)}");
            JsonValueReader.SkipValue(ref r);
            return null;
        }

        var names = new List<string>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            string? name = JsonValueReader.ReadString(ref r, $"keypoints[{names.Count}]", _problems);
            names.Add(name ?? string.Empty);
        }

        return names;
    }

    private List<KeypointLink>? ReadSkeleton(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            _problems.Add("skeleton", $"must be an array of [from, to] pairs, got {JsonValueReader.Describe(ref r)}");
            JsonValueReader.SkipValue(ref r);
            return null;
        }

        var links = new List<KeypointLink>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            string field = $"skeleton[{links.Count}]";
            double[]? pair = JsonValueReader.ReadNumberArray(ref r, field, _problems, _numbers);
            if (pair is { Length: 2 } && pair.All(v => v == Math.Floor(v) && v >= 0 && v <= int.MaxValue))
            {
                links.Add(new KeypointLink((int)pair[0], (int)pair[1]));
            }
            else
            {
                if (pair is not null)
                {
                    _problems.Add(field, $"must be a pair of keypoint numbers, got [{JsonValueReader.Format(pair)}]");
                }

                links.Add(default);
            }
        }

        return links;
    }

    private static CocoInfo? ReadInfo(ref Utf8JsonReader r)
    {
        // The info block never affects evaluation: read the usual fields when well typed, ignore the rest.
        if (r.TokenType != JsonTokenType.StartObject)
        {
            JsonValueReader.SkipValue(ref r);
            return null;
        }

        string? description = null, url = null, version = null, contributor = null, dateCreated = null;
        int? year = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string name = r.GetString() ?? string.Empty;
            r.Read();
            string? text = r.TokenType == JsonTokenType.String ? r.GetString() : null;
            switch (name)
            {
                case "description": description = text; break;
                case "url": url = text; break;
                case "version": version = text; break;
                case "contributor": contributor = text; break;
                case "date_created": dateCreated = text; break;
                case "year":
                    if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int y))
                    {
                        year = y;
                    }
                    else if (int.TryParse(text, out int parsedYear))
                    {
                        year = parsedYear;
                    }

                    break;
            }

            JsonValueReader.SkipValue(ref r);
        }

        return new CocoInfo(description, url, version, year, contributor, dateCreated);
    }

    private void Require(bool seen, string field)
    {
        if (!seen)
        {
            _problems.Add(field, "missing required field");
        }
    }

    /// <summary>Reports the record's collected problems; true when it is clean.</summary>
    private bool Finish(CocoRecordKind kind, int index, long? id, long offset)
    {
        if (_problems.Count == 0)
        {
            return true;
        }

        _problems.ReportAll(_context, kind, index, id, offset);
        return false;
    }
}
