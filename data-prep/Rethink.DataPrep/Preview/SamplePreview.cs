using Rethink.Data;
using Rethink.Runtime;

namespace Rethink.DataPrep.Preview;

/// <summary>Samples of any detection source drawn with their masks: what `rethink data show` and the notebooks display.</summary>
public static class SamplePreview
{
    public static byte[] Render(IDetectionSource source, int count = 8, int seed = 0, int columns = 4, int cell = 256)
    {
        var order = Enumerable.Range(0, source.Count).ToArray();
        if (seed != 0) new Random(Seeds.Mix(seed, 0x5e0)).Shuffle(order);
        var items = order.Take(Math.Min(count, source.Count)).AsParallel().AsOrdered().Select(i =>
        {
            var r = source[i];
            var image = r.LoadImage();
            var instances = r.LoadAnnotations().Select(a => new PreviewInstance(a.Mask, a.X1, a.Y1, a.X2, a.Y2,
                source.CategoryNames[a.Label - 1] + (a.Crowd ? " (crowd)" : ""))).ToList();
            return new PreviewItem(image.Width, image.Height, image.Rgb, instances);
        }).ToList();
        return MaskOverlay.RenderPng(items, columns, cell);
    }
}
