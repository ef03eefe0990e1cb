namespace Rethink.Data.Coco;

/// <summary>A category; keypoint categories also name their keypoints and the skeleton joining them.</summary>
public sealed record CocoCategory(
    long Id,
    string Name,
    string Supercategory = "",
    IReadOnlyList<string>? Keypoints = null,
    IReadOnlyList<KeypointLink>? Skeleton = null);

/// <summary>One skeleton edge between two keypoints, numbered from 1 as in COCO files.</summary>
public readonly record struct KeypointLink(int From, int To);
