namespace Rethink.Data.Coco;

/// <summary>
/// A ground-truth object. <see cref="Keypoints"/> is the flat x, y, visibility triple list;
/// <see cref="Ignore"/> is the optional non-standard "ignore" flag some datasets carry.
/// </summary>
public sealed record CocoAnnotation(
    long Id,
    long ImageId,
    long CategoryId,
    CocoBox Bbox,
    double Area,
    bool IsCrowd = false,
    CocoSegmentation? Segmentation = null,
    IReadOnlyList<double>? Keypoints = null,
    int? NumKeypoints = null,
    bool? Ignore = null);
