using System.Text.Json;
using Rethink.Data.Masks;

namespace Rethink.Data.Coco;

/// <summary>
/// Reads a "segmentation" value: polygons (array of coordinate arrays) or an RLE object {size: [h, w], counts}
/// whose counts are an integer list or pycocotools' compressed string. RLE counts are checked to cover h*w pixels.
/// </summary>
internal sealed class SegmentationJsonReader
{
    private const string Field = "segmentation";
    private readonly List<double> _numbers = [];
    private uint[] _decodeBuffer = new uint[256];

    public CocoSegmentation? Read(ref Utf8JsonReader r, RecordProblems problems)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartArray:
                return ReadPolygons(ref r, problems);
            case JsonTokenType.StartObject:
                return ReadRle(ref r, problems);
            default:
                problems.Add(Field, $"must be a list of polygons or an RLE object {{size, counts}}, got {JsonValueReader.Describe(ref r)}");
                return null;
        }
    }

    private PolygonSegmentation? ReadPolygons(ref Utf8JsonReader r, RecordProblems problems)
    {
        var polygons = new List<IReadOnlyList<double>>();
        bool ok = true;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            string field = $"{Field}[{polygons.Count}]";
            double[]? polygon = JsonValueReader.ReadNumberArray(ref r, field, problems, _numbers);
            if (polygon is null)
            {
                ok = false;
                polygons.Add([]);
                continue;
            }

            if (polygon.Length % 2 != 0)
            {
                problems.Add(field, $"a polygon needs x, y pairs, got an odd count of {polygon.Length} numbers");
                ok = false;
            }

            polygons.Add(polygon);
        }

        return ok ? new PolygonSegmentation(polygons) : null;
    }

    private CocoSegmentation? ReadRle(ref Utf8JsonReader r, RecordProblems problems)
    {
        int? height = null, width = null;
        string? compressed = null;
        uint[]? uncompressed = null;
        bool sawSize = false, sawCounts = false;
        int before = problems.Count;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.ValueTextEquals("size"u8))
            {
                r.Read();
                sawSize = true;
                double[]? size = JsonValueReader.ReadNumberArray(ref r, Field + ".size", problems, _numbers);
                if (size is null)
                {
                    continue;
                }

                if (size.Length != 2 || size.Any(v => v < 0 || v != Math.Floor(v) || v > int.MaxValue))
                {
                    problems.Add(Field + ".size", $"must be [height, width] as two non-negative integers, got [{JsonValueReader.Format(size)}]");
                    continue;
                }

                height = (int)size[0];
                width = (int)size[1];
            }
            else if (r.ValueTextEquals("counts"u8))
            {
                r.Read();
                sawCounts = true;
                if (r.TokenType == JsonTokenType.String)
                {
                    compressed = r.GetString();
                }
                else if (r.TokenType == JsonTokenType.StartArray)
                {
                    uncompressed = ReadCounts(ref r, problems);
                }
                else
                {
                    problems.Add(Field + ".counts", $"must be a string or an array of integers, got {JsonValueReader.Describe(ref r)}");
                    JsonValueReader.SkipValue(ref r);
                }
            }
            else
            {
                r.Read();
                JsonValueReader.SkipValue(ref r);
            }
        }

        if (!sawSize)
        {
            problems.Add(Field + ".size", "missing required field of an RLE");
        }

        if (!sawCounts)
        {
            problems.Add(Field + ".counts", "missing required field of an RLE");
        }

        if (problems.Count != before || height is not int h || width is not int w)
        {
            return null;
        }

        if (compressed is not null)
        {
            return CheckCompressed(compressed, h, w, problems) ? new CompressedRleSegmentation(h, w, compressed) : null;
        }

        long total = 0;
        foreach (uint c in uncompressed!)
        {
            total += c;
        }

        return CheckSum(total, h, w, problems) ? new UncompressedRleSegmentation(h, w, uncompressed!) : null;
    }

    private uint[]? ReadCounts(ref Utf8JsonReader r, RecordProblems problems)
    {
        var counts = new List<uint>();
        bool ok = true;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint c))
            {
                counts.Add(c);
            }
            else
            {
                if (ok)
                {
                    problems.Add(Field + ".counts", $"must hold non-negative integers, but element {counts.Count} is {JsonValueReader.Describe(ref r)}");
                }

                ok = false;
                JsonValueReader.SkipValue(ref r);
            }
        }

        return ok ? counts.ToArray() : null;
    }

    private bool CheckCompressed(string counts, int h, int w, RecordProblems problems)
    {
        if (_decodeBuffer.Length < counts.Length)
        {
            _decodeBuffer = new uint[Math.Max(counts.Length, _decodeBuffer.Length * 2)];
        }

        RleStringCodec.DecodeInto(counts, _decodeBuffer, out long sum, out string? error);
        if (error is not null)
        {
            problems.Add(Field + ".counts", error);
            return false;
        }

        return CheckSum(sum, h, w, problems);
    }

    private static bool CheckSum(long sum, int h, int w, RecordProblems problems)
    {
        if (sum != (long)h * w)
        {
            problems.Add(Field + ".counts", $"runs add up to {sum} pixels but size [{h}, {w}] has {(long)h * w}");
            return false;
        }

        return true;
    }
}
