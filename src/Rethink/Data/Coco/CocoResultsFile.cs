using System.Text;
using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>
/// Reads and writes COCO detection results (bbox, segm or keypoints). Given the ground truth, results of unknown
/// images or categories are errors naming the result's index.
/// </summary>
public static class CocoResultsFile
{
    public static CocoResults Load(string path, CocoDataset? groundTruth = null, CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ParseUtf8(File.ReadAllBytes(path), path, groundTruth, options);
    }

    public static CocoResults Parse(string json, string sourceName = "<json>", CocoDataset? groundTruth = null, CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ParseUtf8(Encoding.UTF8.GetBytes(json), sourceName, groundTruth, options);
    }

    public static CocoResults ParseUtf8(byte[] utf8Json, string sourceName = "<json>", CocoDataset? groundTruth = null, CocoLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        return CocoResultsParser.Parse(utf8Json, sourceName, groundTruth, options ?? CocoLoadOptions.Strict);
    }

    public static void Save(IReadOnlyList<CocoDetection> detections, string path)
    {
        ArgumentNullException.ThrowIfNull(detections);
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        CocoJsonWriter.WriteResults(writer, detections);
    }

    public static string ToJson(IReadOnlyList<CocoDetection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            CocoJsonWriter.WriteResults(writer, detections);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
