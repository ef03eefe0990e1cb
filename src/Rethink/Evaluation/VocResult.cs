namespace Rethink.Evaluation;

/// <summary>VOC mean AP over categories with at least one positive, and each category's numbers.</summary>
public sealed record VocResult(double MeanAp, IReadOnlyList<VocCategoryResult> PerCategory);

/// <summary>
/// One category: AP (-1 when it has no non-difficult ground truth), the number of positives, and the
/// recall and precision after each detection in score order.
/// </summary>
public sealed record VocCategoryResult(
    long CategoryId,
    string Name,
    double AveragePrecision,
    int Positives,
    IReadOnlyList<double> Recall,
    IReadOnlyList<double> Precision);
