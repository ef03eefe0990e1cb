namespace Rethink.Evaluation;

/// <summary>
/// evaluateImg's outcome for one (image, category): the kept detections' scores (highest first) and, per area
/// range, how many ground truths count and each detection's fate at each IoU threshold.
/// </summary>
internal sealed class GroupEvaluation(double[] scores, int[] countedGroundTruths, byte[] outcomes, int thresholdCount)
{
    public const byte Ignored = 0;
    public const byte TruePositive = 1;
    public const byte FalsePositive = 2;

    /// <summary>Scores of the kept detections, highest first (stable for ties).</summary>
    public double[] Scores { get; } = scores;

    /// <summary>Per area range: ground truths that are not ignored.</summary>
    public int[] CountedGroundTruths { get; } = countedGroundTruths;

    /// <summary>Outcomes of area range a: detection d at threshold t is at [t * Scores.Length + d].</summary>
    public ReadOnlySpan<byte> OutcomesOf(int area)
    {
        int size = thresholdCount * Scores.Length;
        return outcomes.AsSpan(area * size, size);
    }
}
