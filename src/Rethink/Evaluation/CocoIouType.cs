namespace Rethink.Evaluation;

/// <summary>What COCOeval compares: boxes, masks, or keypoints (by object keypoint similarity).</summary>
public enum CocoIouType
{
    Bbox,
    Segm,
    Keypoints,
}
