using System.Text;
using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>
/// Typed reads of the value under a <see cref="Utf8JsonReader"/>. A value of the wrong type is recorded as a field
/// problem and skipped, so parsing carries on to the end of the record.
/// </summary>
internal static class JsonValueReader
{
    public static long? ReadInteger(ref Utf8JsonReader r, string field, RecordProblems problems)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            if (r.TryGetInt64(out long value))
            {
                return value;
            }

            // Python writes integral floats as 1000.0; accept those as integers.
            if (r.TryGetDouble(out double d) && Math.Floor(d) == d && Math.Abs(d) < 9e18)
            {
                return (long)d;
            }
        }

        problems.Add(field, $"must be an integer, got {Describe(ref r)}");
        SkipValue(ref r);
        return null;
    }

    public static int? ReadInt32(ref Utf8JsonReader r, string field, RecordProblems problems)
    {
        long? value = ReadInteger(ref r, field, problems);
        if (value is long v && (v < int.MinValue || v > int.MaxValue))
        {
            problems.Add(field, $"is out of range, got {v}");
            return null;
        }

        return (int?)value;
    }

    public static double? ReadNumber(ref Utf8JsonReader r, string field, RecordProblems problems)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out double value) && double.IsFinite(value))
        {
            return value;
        }

        problems.Add(field, $"must be a finite number, got {Describe(ref r)}");
        SkipValue(ref r);
        return null;
    }

    public static string? ReadString(ref Utf8JsonReader r, string field, RecordProblems problems)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return r.GetString();
        }

        problems.Add(field, $"must be a string, got {Describe(ref r)}");
        SkipValue(ref r);
        return null;
    }

    /// <summary>An optional string: JSON null is accepted as absent (tools such as labelme write null for a license url).</summary>
    public static string? ReadOptionalString(ref Utf8JsonReader r, string field, RecordProblems problems) =>
        r.TokenType == JsonTokenType.Null ? null : ReadString(ref r, field, problems);

    /// <summary>A 0/1 flag such as iscrowd; JSON booleans are accepted too.</summary>
    public static bool? ReadFlag(ref Utf8JsonReader r, string field, RecordProblems problems)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number when r.TryGetInt64(out long v) && (v == 0 || v == 1):
                return v == 1;
            default:
                problems.Add(field, $"must be 0 or 1 (or a boolean), got {Describe(ref r)}");
                SkipValue(ref r);
                return null;
        }
    }

    /// <summary>An array of finite numbers; null (with a problem) if anything else.</summary>
    public static double[]? ReadNumberArray(ref Utf8JsonReader r, string field, RecordProblems problems, List<double> scratch)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            problems.Add(field, $"must be an array of numbers, got {Describe(ref r)}");
            SkipValue(ref r);
            return null;
        }

        scratch.Clear();
        bool ok = true;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out double v) && double.IsFinite(v))
            {
                scratch.Add(v);
            }
            else
            {
                if (ok)
                {
                    problems.Add(field, $"must be an array of numbers, but element {scratch.Count} is {Describe(ref r)}");
                }

                ok = false;
                SkipValue(ref r);
            }
        }

        return ok ? scratch.ToArray() : null;
    }

    /// <summary>A bbox [x, y, w, h]; width and height must be positive, or at least zero when allowed.</summary>
    public static CocoBox? ReadBox(ref Utf8JsonReader r, string field, RecordProblems problems, List<double> scratch, bool allowEmpty)
    {
        // Four numbers are read in place: this runs once per result, so it avoids allocating an array each time.
        Span<double> v = stackalloc double[4];
        int count = 0;
        if (r.TokenType == JsonTokenType.StartArray)
        {
            while (r.Read() && r.TokenType == JsonTokenType.Number && count < 4 && r.TryGetDouble(out double value) && double.IsFinite(value))
            {
                v[count++] = value;
            }

            if (r.TokenType == JsonTokenType.EndArray)
            {
                if (count != 4)
                {
                    problems.Add(field, $"must have 4 numbers [x, y, width, height], got {count}");
                    return null;
                }

                var box = new CocoBox(v[0], v[1], v[2], v[3]);
                bool sizeOk = allowEmpty ? box.Width >= 0 && box.Height >= 0 : box.Width > 0 && box.Height > 0;
                if (!sizeOk)
                {
                    string rule = allowEmpty ? "must not be negative" : "must be positive";
                    problems.Add(field, $"width and height {rule}, got [{Format(v.ToArray())}]");
                    return null;
                }

                return box;
            }

            // Something other than four finite numbers: read the rest generically for a precise message.
            scratch.Clear();
            scratch.AddRange(v[..count].ToArray());
            return ReadBoxSlow(ref r, field, problems, scratch);
        }

        problems.Add(field, $"must be an array of numbers, got {Describe(ref r)}");
        SkipValue(ref r);
        return null;
    }

    /// <summary>Finishes a bbox array that is not four finite numbers, naming the first offending element.</summary>
    private static CocoBox? ReadBoxSlow(ref Utf8JsonReader r, string field, RecordProblems problems, List<double> read)
    {
        bool reported = false;
        do
        {
            if (r.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out double value) && double.IsFinite(value))
            {
                read.Add(value);
                continue;
            }

            if (!reported)
            {
                problems.Add(field, $"must be an array of numbers, but element {read.Count} is {Describe(ref r)}");
                reported = true;
            }

            SkipValue(ref r);
        }
        while (r.Read());

        if (!reported)
        {
            problems.Add(field, $"must have 4 numbers [x, y, width, height], got {read.Count}");
        }

        return null;
    }

    public static void SkipValue(ref Utf8JsonReader r)
    {
        if (r.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
        {
            r.Skip();
        }
    }

    /// <summary>A short description of the current value for messages.</summary>
    public static string Describe(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Truncate(r.GetString() ?? string.Empty)}\"",
        JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(r.ValueSpan)}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => r.TokenType.ToString(),
    };

    public static string Format(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
