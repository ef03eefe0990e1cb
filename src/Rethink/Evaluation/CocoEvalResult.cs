namespace Rethink.Evaluation;

/// <summary>
/// What COCOeval produces: the summary stats (12, or 10 for keypoints), per-category AP, and the precision
/// [T, R, K, A, M], recall [T, K, A, M] and score [T, R, K, A, M] arrays for PR curves
/// (T IoU thresholds, R recall thresholds, K categories in <see cref="CategoryIds"/> order, A area ranges,
/// M maxDets ascending; -1 where there was nothing to measure). Treat the arrays as read-only.
/// </summary>
public sealed class CocoEvalResult
{
    private readonly string[] _summaryLines;

    internal CocoEvalResult(
        CocoEvalParams parameters,
        IReadOnlyList<long> imageIds,
        IReadOnlyList<long> categoryIds,
        double[] stats,
        string[] summaryLines,
        IReadOnlyList<CategoryAp> perCategoryAp,
        PrecisionAccumulator.Arrays arrays)
    {
        Params = parameters;
        ImageIds = imageIds;
        CategoryIds = categoryIds;
        Stats = stats;
        _summaryLines = summaryLines;
        PerCategoryAp = perCategoryAp;
        Precision = arrays.Precision;
        Recall = arrays.Recall;
        Scores = arrays.Scores;
    }

    public CocoEvalParams Params { get; }

    public CocoIouType IouType => Params.IouType;

    public IReadOnlyList<long> ImageIds { get; }

    public IReadOnlyList<long> CategoryIds { get; }

    /// <summary>AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (keypoints: AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl).</summary>
    public IReadOnlyList<double> Stats { get; }

    public IReadOnlyList<CategoryAp> PerCategoryAp { get; }

    public double[,,,,] Precision { get; }

    public double[,,,] Recall { get; }

    public double[,,,,] Scores { get; }

    /// <summary>The stat lines exactly as pycocotools' summarize prints them, each ending in a newline.</summary>
    public string Summary() => string.Concat(_summaryLines.Select(l => l + "\n"));

    public IReadOnlyList<string> SummaryLines => _summaryLines;
}
