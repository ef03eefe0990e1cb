using Rethink.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Data;

/// <summary>
/// Resize so the shorter side is S (S drawn from [MinShortSide, MaxShortSide] for scale jitter), capped so the longer
/// side is at most MaxSize; horizontal flip with probability FlipProbability (boxes, masks and keypoints follow, and
/// left/right keypoints swap). Defaults are the paper's: short side 800, max 1333, flip only.
/// </summary>
public sealed record TransformConfig
{
    public int MinShortSide { get; init; } = 800;
    public int MaxShortSide { get; init; } = 800;
    public int MaxSize { get; init; } = 1333;
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Evaluation: the fixed short side, no flip.</summary>
    public TransformConfig ForEvaluation() => this with { MinShortSide = MaxShortSide, FlipProbability = 0 };
}

/// <summary>One image ready for the model, with what is needed to map its predictions back to the original image.</summary>
public sealed record PreparedSample(long ImageId, Tensor Image, DetectionTarget Target, double Scale, int OriginalHeight, int OriginalWidth,
    bool Flipped) : IDisposable
{
    public void Dispose()
    {
        Image.Dispose();
        Target.Dispose();
    }
}

public static class SampleTransform
{
    /// <summary>Prepares one record; <paramref name="rng"/> decides the jittered size and the flip.</summary>
    public static PreparedSample Prepare(DetectionRecord record, TransformConfig config, Random rng, IReadOnlyList<int> keypointFlipMap,
        bool withMasks = true)
    {
        var image = record.LoadImage();
        if (image.Width != record.Width || image.Height != record.Height)
            throw new DataException(record.FileName, $"image {record.ImageId}", "width/height",
                $"the annotations say {record.Width}x{record.Height} but the file is {image.Width}x{image.Height}");
        var instances = record.LoadAnnotations().Where(a => !a.Crowd).ToList();
        int shortSide = config.MinShortSide == config.MaxShortSide ? config.MinShortSide : rng.Next(config.MinShortSide, config.MaxShortSide + 1);
        bool flip = config.FlipProbability > 0 && rng.NextDouble() < config.FlipProbability;
        int h = image.Height, w = image.Width;
        double scale = Math.Min(shortSide / (double)Math.Min(h, w), config.MaxSize / (double)Math.Max(h, w));
        int nh = Math.Max(1, (int)Math.Round(h * scale)), nw = Math.Max(1, (int)Math.Round(w * scale));
        double sy = nh / (double)h, sx = nw / (double)w;

        using var scope = NewDisposeScope();
        var img = image.ToTensor();
        // Bilinear weights are convex: the resized pixels stay in [0, 1].
        if (nh != h || nw != w)
            img = nn.functional.interpolate(img.unsqueeze(0), size: [nh, nw], mode: InterpolationMode.Bilinear, align_corners: false)[0];
        if (flip) img = img.flip(2);

        int n = instances.Count;
        var boxes = new float[n * 4];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            var a = instances[i];
            float x1 = (float)(a.X1 * sx), x2 = (float)(a.X2 * sx);
            if (flip) (x1, x2) = (nw - x2, nw - x1);
            boxes[4 * i] = x1; boxes[4 * i + 1] = (float)(a.Y1 * sy); boxes[4 * i + 2] = x2; boxes[4 * i + 3] = (float)(a.Y2 * sy);
            labels[i] = a.Label;
        }
        Tensor? masks = null;
        if (withMasks && n > 0 && instances.All(a => a.Mask is not null))
        {
            var all = new byte[n * h * w];
            for (int i = 0; i < n; i++) Buffer.BlockCopy(instances[i].Mask!, 0, all, i * h * w, h * w);
            masks = tensor(all, [n, h, w], ScalarType.Byte).to(float32);
            if (nh != h || nw != w)
                masks = nn.functional.interpolate(masks.unsqueeze(0), size: [nh, nw], mode: InterpolationMode.Nearest)[0];
            if (flip) masks = masks.flip(2);
            masks = masks.to(ScalarType.Byte);
        }
        else if (withMasks && n == 0) masks = zeros(0, nh, nw, dtype: ScalarType.Byte);
        Tensor? keypoints = null;
        if (n > 0 && instances.All(a => a.Keypoints is not null))
        {
            int k = instances[0].Keypoints!.Length / 3;
            var kp = new float[n * k * 3];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                {
                    int src = flip && keypointFlipMap.Count == k ? keypointFlipMap[j] : j;
                    var p = instances[i].Keypoints!;
                    float x = (float)(p[3 * src] * sx), y = (float)(p[3 * src + 1] * sy), v = p[3 * src + 2];
                    if (flip) x = nw - x;
                    kp[(i * k + j) * 3] = x; kp[(i * k + j) * 3 + 1] = y; kp[(i * k + j) * 3 + 2] = v;
                }
            keypoints = tensor(kp, [n, k, 3]);
        }
        var target = new DetectionTarget(tensor(boxes, [n, 4]), tensor(labels), masks, keypoints);
        var sample = new PreparedSample(record.ImageId, img, target, scale, h, w, flip);
        img.MoveToOuterDisposeScope();
        target.Boxes.MoveToOuterDisposeScope(); target.Labels.MoveToOuterDisposeScope();
        masks?.MoveToOuterDisposeScope(); keypoints?.MoveToOuterDisposeScope();
        return sample;
    }
}
