using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling;

/// <summary>
/// Images of different sizes padded (bottom and right, with zeros) into one (B, 3, H, W) tensor whose sides are
/// multiples of <c>divisor</c>, with each image's own size kept. Pixel values as given (the model normalizes).
/// </summary>
public sealed class ImageBatch : IDisposable
{
    public ImageBatch(Tensor tensor, IReadOnlyList<(int Height, int Width)> sizes)
    {
        if (tensor.dim() != 4 || tensor.shape[1] != 3) throw new ArgumentException("an image batch is (B, 3, H, W)");
        if (sizes.Count != tensor.shape[0]) throw new ArgumentException($"{sizes.Count} sizes for {tensor.shape[0]} images");
        Tensor = tensor;
        Sizes = sizes;
    }

    public Tensor Tensor { get; }
    public IReadOnlyList<(int Height, int Width)> Sizes { get; }
    public int Count => Sizes.Count;

    /// <summary>Pads and stacks (3, H_i, W_i) images.</summary>
    public static ImageBatch FromImages(IReadOnlyList<Tensor> images, int divisor = 32)
    {
        if (images.Count == 0) throw new ArgumentException("an image batch needs at least one image");
        foreach (var im in images)
            if (im.dim() != 3 || im.shape[0] != 3) throw new ArgumentException($"images must be (3, H, W), got ({string.Join(", ", im.shape)})");
        long h = images.Max(i => i.shape[1]), w = images.Max(i => i.shape[2]);
        h = (h + divisor - 1) / divisor * divisor;
        w = (w + divisor - 1) / divisor * divisor;
        var batch = zeros(images.Count, 3, h, w, dtype: images[0].dtype, device: images[0].device);
        using (no_grad())
        {
            for (int i = 0; i < images.Count; i++)
                batch[i, TensorIndex.Colon, TensorIndex.Slice(0, images[i].shape[1]), TensorIndex.Slice(0, images[i].shape[2])] = images[i];
        }
        return new ImageBatch(batch, images.Select(i => ((int)i.shape[1], (int)i.shape[2])).ToList());
    }

    public ImageBatch To(Device device) => new(Tensor.to(device), Sizes);

    public void Dispose() => Tensor.Dispose();
}

/// <summary>
/// Ground truth of one image: (n, 4) boxes in pixels, (n) int64 labels (1..C-1; 0 is background), optional (n, H, W)
/// masks in the image's own size, optional (n, K, 3) keypoints (x, y, visibility).
/// </summary>
public sealed record DetectionTarget(Tensor Boxes, Tensor Labels, Tensor? Masks = null, Tensor? Keypoints = null) : IDisposable
{
    public DetectionTarget To(Device device) => new(Boxes.to(device), Labels.to(device), Masks?.to(device), Keypoints?.to(device));

    public void Dispose()
    {
        Boxes.Dispose();
        Labels.Dispose();
        Masks?.Dispose();
        Keypoints?.Dispose();
    }
}

/// <summary>
/// What the model finds in one image, in that image's pixel coordinates: (n, 4) boxes, (n) scores, (n) int64 labels,
/// (n, 1, H, W) mask probabilities pasted into the image, (n, K, 3) keypoints (x, y, score).
/// </summary>
public sealed record Detections(Tensor Boxes, Tensor Scores, Tensor Labels, Tensor? Masks = null, Tensor? Keypoints = null) : IDisposable
{
    public int Count => (int)Boxes.shape[0];

    public void Dispose()
    {
        Boxes.Dispose();
        Scores.Dispose();
        Labels.Dispose();
        Masks?.Dispose();
        Keypoints?.Dispose();
    }
}
