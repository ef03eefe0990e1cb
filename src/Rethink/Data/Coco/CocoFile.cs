using System.Text;
using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>Reads and writes COCO ground-truth files (instances or person keypoints).</summary>
public static class CocoFile
{
    /// <summary>Loads a file; strict by default (first problem throws <see cref="CocoFormatException"/>).</summary>
    public static CocoDataset Load(string path, CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ParseUtf8(File.ReadAllBytes(path), path, options);
    }

    /// <summary>Parses JSON text; <paramref name="sourceName"/> names the input in messages.</summary>
    public static CocoDataset Parse(string json, string sourceName = "<json>", CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ParseUtf8(Encoding.UTF8.GetBytes(json), sourceName, options);
    }

    /// <summary>Parses UTF-8 JSON bytes (the fast path for large files).</summary>
    public static CocoDataset ParseUtf8(byte[] utf8Json, string sourceName = "<json>", CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        return CocoDatasetParser.Parse(utf8Json, sourceName, options ?? CocoLoadOptions.Strict);
    }

    public static void Save(CocoDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        CocoJsonWriter.WriteDataset(writer, dataset);
    }

    public static string ToJson(CocoDataset dataset, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            CocoJsonWriter.WriteDataset(writer, dataset);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
