using Torch = TorchSharp.torch;

namespace Rethink.Data;

/// <summary>
/// One annotated object of an image, in the image's pixels: box (x1, y1, x2, y2), contiguous label (1..K; 0 is
/// background), optional mask (row-major 0/1 bytes over the whole image), optional keypoints (x, y, v triples).
/// Crowd regions are kept so that evaluation can ignore them; the training targets leave them out (as Detectron2 does).
/// </summary>
public sealed record InstanceAnnotation(int Label, float X1, float Y1, float X2, float Y2, byte[]? Mask = null,
    float[]? Keypoints = null, bool Crowd = false);

/// <summary>An image of a detection dataset: where it is, its size, and a way to read its pixels and annotations.</summary>
public sealed record DetectionRecord(long ImageId, string FileName, int Width, int Height, Func<DecodedImage> LoadImage,
    Func<IReadOnlyList<InstanceAnnotation>> LoadAnnotations);

/// <summary>RGB pixels, row-major, 3 bytes per pixel.</summary>
public sealed record DecodedImage(int Width, int Height, byte[] Rgb)
{
    /// <summary>
    /// The image as a (3, H, W) float tensor in [0, 1]. Converted in C#, not with a tensor-scalar division: TorchSharp's
    /// implicit Scalars are freed by the GC finalizer, which can race the native call on the loader's busy threads
    /// (seen: a corrupt Scalar inside div_ after an hour of training).
    /// </summary>
    public Torch.Tensor ToTensor()
    {
        int n = Width * Height;
        var planes = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            planes[i] = Rgb[3 * i] / 255f;
            planes[n + i] = Rgb[3 * i + 1] / 255f;
            planes[2 * n + i] = Rgb[3 * i + 2] / 255f;
        }
        return TorchSharp.torch.tensor(planes, [3, Height, Width]);
    }
}

/// <summary>A detection dataset: indexed images and the names of its categories (index 0 is label 1).</summary>
public interface IDetectionSource
{
    int Count { get; }
    DetectionRecord this[int index] { get; }
    IReadOnlyList<string> CategoryNames { get; }
    /// <summary>Keypoint names, and for each keypoint the index of its mirror image (for horizontal flips); empty if none.</summary>
    IReadOnlyList<string> KeypointNames => [];
    IReadOnlyList<int> KeypointFlipMap => [];
}
