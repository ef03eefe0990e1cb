using Rethink.Data.Coco;

namespace Rethink.Evaluation;

/// <summary>
/// Which branch of pycocotools' loadRes the results take. loadRes looks only at the first result: if it has a
/// bbox, every result's area is w*h (even for segm evaluation); else if it has a segmentation, the area is the
/// mask's; else the keypoints' extent gives box and area.
/// </summary>
internal enum ResultBranch
{
    Bbox,
    Segm,
    Keypoints,
}

internal static class ResultBranches
{
    public static ResultBranch Of(IReadOnlyList<CocoDetection> detections)
    {
        if (detections.Count == 0 || detections[0].Bbox is not null)
        {
            return ResultBranch.Bbox;
        }

        if (detections[0].Segmentation is not null)
        {
            return ResultBranch.Segm;
        }

        if (detections[0].Keypoints is not null)
        {
            return ResultBranch.Keypoints;
        }

        throw new ArgumentException("result 0 has no bbox, segmentation or keypoints", nameof(detections));
    }
}
