namespace Rethink.Data.Coco;

/// <summary>What a lenient load left out, and why (one problem per bad field or reference).</summary>
public sealed record CocoLoadReport(
    IReadOnlyList<CocoProblem> Problems,
    int SkippedImages = 0,
    int SkippedAnnotations = 0,
    int SkippedCategories = 0,
    int SkippedResults = 0)
{
    public static CocoLoadReport Clean { get; } = new([]);

    public bool IsClean => Problems.Count == 0;

    public int SkippedRecords => SkippedImages + SkippedAnnotations + SkippedCategories + SkippedResults;
}
