using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Evaluation;

/// <summary>
/// A detection's area, box and mask as pycocotools sees them after loadRes (see <see cref="ResultBranch"/>):
/// bbox-branch results get area w*h and, when they have no mask, their box as a polygon; segm-branch results get
/// the mask's area and toBbox box; keypoint results get the keypoints' extent.
/// </summary>
internal static class DetectionGeometry
{
    /// <param name="maskArea">The mask's area when the caller already has it.</param>
    public static double Area(CocoDetection det, int index, ResultBranch branch, CocoImage image, long? maskArea = null) => branch switch
    {
        ResultBranch.Bbox => RequireBox(det, index, branch).Area,
        ResultBranch.Segm => maskArea ?? Mask(det, index, branch, image).Area,
        _ => KeypointExtent(det, index).Area,
    };

    public static CocoBox Box(CocoDetection det, int index, ResultBranch branch, CocoImage image) => branch switch
    {
        ResultBranch.Bbox => RequireBox(det, index, branch),
        ResultBranch.Segm => det.Bbox ?? Mask(det, index, branch, image).ToBbox(),
        _ => KeypointExtent(det, index),
    };

    public static Rle Mask(CocoDetection det, int index, ResultBranch branch, CocoImage image)
    {
        if (det.Segmentation is not null)
        {
            return SegmentationRle.ToRle(det.Segmentation, image.Height, image.Width);
        }

        if (branch == ResultBranch.Bbox && det.Bbox is CocoBox box)
        {
            // loadRes gives box results the polygon [[x1, y1, x1, y2, x2, y2, x2, y1]], which rasterises like frBbox.
            return Rle.FromBbox(box, image.Height, image.Width);
        }

        throw new ArgumentException($"result {index} (image {det.ImageId}) has no segmentation, needed for segm evaluation");
    }

    private static CocoBox RequireBox(CocoDetection det, int index, ResultBranch branch) =>
        det.Bbox ?? throw new ArgumentException(
            $"result {index} (image {det.ImageId}) has no bbox; pycocotools' loadRes treats all results as {branch} results because result 0 has a bbox");

    /// <summary>[min x, min y, max x - min x, max y - min y] over all keypoints, visible or not (as loadRes).</summary>
    private static CocoBox KeypointExtent(CocoDetection det, int index)
    {
        IReadOnlyList<double> k = det.Keypoints is { Count: >= 3 } keypoints
            ? keypoints
            : throw new ArgumentException($"result {index} (image {det.ImageId}) has no keypoints");
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        for (int j = 0; j + 2 < k.Count; j += 3)
        {
            x0 = Math.Min(x0, k[j]);
            x1 = Math.Max(x1, k[j]);
            y0 = Math.Min(y0, k[j + 1]);
            y1 = Math.Max(y1, k[j + 1]);
        }

        return new CocoBox(x0, y0, x1 - x0, y1 - y0);
    }
}
