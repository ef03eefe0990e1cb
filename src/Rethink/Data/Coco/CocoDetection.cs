namespace Rethink.Data.Coco;

/// <summary>
/// One detection result as in a COCO results file: a box (bbox results), a mask (segm results, usually a
/// compressed RLE) or keypoints, with a confidence score. A result may carry several of these.
/// </summary>
public sealed record CocoDetection(
    long ImageId,
    long CategoryId,
    double Score,
    CocoBox? Bbox = null,
    CocoSegmentation? Segmentation = null,
    IReadOnlyList<double>? Keypoints = null);
