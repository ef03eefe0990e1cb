namespace Rethink.Evaluation;

/// <summary>
/// COCOeval parameters (pycocotools Params). <see cref="For"/> gives the standard ones: IoU thresholds
/// .50:.05:.95, 101 recall points, maxDets 1/10/100 (keypoints: 20), and the all/small/medium/large areas.
/// <see cref="ImageIds"/> and <see cref="CategoryIds"/> default to every image and category of the ground truth.
/// <see cref="HonorIgnoreFlag"/> makes an annotation's "ignore" field count; pycocotools overwrites it with
/// iscrowd in COCOeval._prepare, so the default (false) reproduces pycocotools.
/// </summary>
public sealed record CocoEvalParams(
    CocoIouType IouType,
    IReadOnlyList<double> IouThresholds,
    IReadOnlyList<double> RecallThresholds,
    IReadOnlyList<int> MaxDets,
    IReadOnlyList<AreaRange> AreaRanges,
    IReadOnlyList<double> KeypointSigmas,
    IReadOnlyList<long>? ImageIds = null,
    IReadOnlyList<long>? CategoryIds = null,
    bool HonorIgnoreFlag = false)
{
    /// <summary>The 17 COCO person keypoint sigmas (the published values divided by 10).</summary>
    public static IReadOnlyList<double> CocoKeypointSigmas { get; } =
        new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }
            .Select(s => s / 10.0).ToArray();

    public static CocoEvalParams For(CocoIouType iouType)
    {
        double[] iouThresholds = NumpySemantics.Linspace(.5, 0.95, (int)Math.Round((0.95 - .5) / .05) + 1);
        double[] recallThresholds = NumpySemantics.Linspace(.0, 1.00, (int)Math.Round((1.00 - .0) / .01) + 1);
        const double Huge = 1e5 * 1e5;
        if (iouType == CocoIouType.Keypoints)
        {
            return new CocoEvalParams(
                iouType, iouThresholds, recallThresholds, [20],
                [new("all", 0, Huge), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, Huge)],
                CocoKeypointSigmas);
        }

        return new CocoEvalParams(
            iouType, iouThresholds, recallThresholds, [1, 10, 100],
            [new("all", 0, Huge), new("small", 0, 32 * 32), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, Huge)],
            CocoKeypointSigmas);
    }
}
