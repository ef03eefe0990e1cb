using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Evaluation;

/// <summary>
/// A detection's mask runs for segm evaluation without allocating: compressed counts (the usual result format)
/// are decoded into a per-thread buffer, which matters when half a million masks are evaluated.
/// </summary>
internal static class DetectionMasks
{
    [ThreadStatic]
    private static uint[]? t_buffer;

    /// <summary>The runs; a decoded buffer stays valid until the next call on the same thread.</summary>
    public static ReadOnlySpan<uint> Counts(CocoDetection det, int index, ResultBranch branch, CocoImage image, out int height, out int width)
    {
        if (det.Segmentation is not CompressedRleSegmentation compressed)
        {
            Rle mask = DetectionGeometry.Mask(det, index, branch, image);
            height = mask.Height;
            width = mask.Width;
            return mask.CountsArray;
        }

        height = compressed.Height;
        width = compressed.Width;
        string text = compressed.Counts;
        uint[] buffer = t_buffer is { } b && b.Length >= text.Length ? b : (t_buffer = new uint[Math.Max(text.Length, 4096)]);
        int m = RleStringCodec.DecodeInto(text, buffer, out long sum, out string? error);
        if (error is not null || sum != (long)height * width)
        {
            throw new ArgumentException(
                $"result {index} (image {det.ImageId}): segmentation.counts " + (error ?? $"runs add up to {sum} pixels but size [{height}, {width}] has {(long)height * width}"));
        }

        return buffer.AsSpan(0, m);
    }
}
