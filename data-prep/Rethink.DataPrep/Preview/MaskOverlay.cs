using SkiaSharp;

namespace Rethink.DataPrep.Preview;

/// <summary>One picture to preview: RGB pixels and its instances (0/1 masks, boxes, captions).</summary>
public sealed record PreviewItem(int Width, int Height, byte[] Rgb, IReadOnlyList<PreviewInstance> Instances);
public sealed record PreviewInstance(byte[]? Mask, float X0, float Y0, float X1, float Y1, string Caption);

/// <summary>
/// Draws samples in a grid with each instance's mask tinted in its own colour, its box, and its caption, into a PNG:
/// what `rethink data show` writes and what the notebooks display.
/// </summary>
public static class MaskOverlay
{
    static readonly SKColor[] Palette =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48), new(145, 30, 180),
        new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 212), new(0, 128, 128), new(170, 110, 40),
    ];

    public static byte[] RenderPng(IReadOnlyList<PreviewItem> items, int columns = 4, int cell = 256)
    {
        if (items.Count == 0) throw new ArgumentException("nothing to preview", nameof(items));
        columns = Math.Min(columns, items.Count);
        int rows = (items.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(columns * cell, rows * cell));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 11);
        for (int k = 0; k < items.Count; k++)
        {
            var item = items[k];
            using var bmp = Tinted(item);
            float scale = Math.Min((float)cell / item.Width, (float)cell / item.Height);
            float ox = k % columns * cell, oy = k / columns * cell;
            canvas.Save();
            canvas.Translate(ox, oy);
            canvas.Scale(scale);
            using (var image = SKImage.FromBitmap(bmp))
                canvas.DrawImage(image, new SKRect(0, 0, item.Width, item.Height), new SKSamplingOptions(SKFilterMode.Nearest));
            canvas.Restore();
            for (int i = 0; i < item.Instances.Count; i++)
            {
                var inst = item.Instances[i];
                var color = Palette[i % Palette.Length];
                using var stroke = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = 1.5f, Color = color, IsAntialias = true };
                var rect = new SKRect(ox + inst.X0 * scale, oy + inst.Y0 * scale, ox + inst.X1 * scale, oy + inst.Y1 * scale);
                canvas.DrawRect(rect, stroke);
                using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
                using var back = new SKPaint { Color = color.WithAlpha(200) };
                float w = font.MeasureText(inst.Caption);
                // Above the box, or inside it when the box touches the top of its cell (the caption would be cut off).
                float labelTop = Math.Max(rect.Top - 12, oy);
                canvas.DrawRect(rect.Left, labelTop, w + 4, 12, back);
                canvas.DrawText(inst.Caption, rect.Left + 2, labelTop + 10, SKTextAlign.Left, font, text);
            }
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static SKBitmap Tinted(PreviewItem item)
    {
        var px = new byte[item.Width * item.Height * 4];
        for (int i = 0, n = item.Width * item.Height; i < n; i++)
        {
            px[4 * i] = item.Rgb[3 * i]; px[4 * i + 1] = item.Rgb[3 * i + 1]; px[4 * i + 2] = item.Rgb[3 * i + 2]; px[4 * i + 3] = 255;
        }
        for (int k = 0; k < item.Instances.Count; k++)
        {
            var mask = item.Instances[k].Mask;
            if (mask is null) continue;
            var c = Palette[k % Palette.Length];
            for (int i = 0; i < mask.Length; i++)
            {
                if (mask[i] == 0) continue;
                px[4 * i] = (byte)((px[4 * i] + c.Red) / 2);
                px[4 * i + 1] = (byte)((px[4 * i + 1] + c.Green) / 2);
                px[4 * i + 2] = (byte)((px[4 * i + 2] + c.Blue) / 2);
            }
        }
        var bmp = new SKBitmap(new SKImageInfo(item.Width, item.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(px, 0, bmp.GetPixels(), px.Length);
        return bmp;
    }
}
