namespace Rethink.Data.Coco;

/// <summary>The detections of a results file, in file order, and what a lenient load skipped.</summary>
public sealed record CocoResults(IReadOnlyList<CocoDetection> Detections, CocoLoadReport LoadReport)
{
    public string SourceName { get; init; } = "<memory>";
}
