using Rethink.Runtime;
using SkiaSharp;

namespace Rethink.DataPrep.Shapes;

/// <summary>One instance of a rendered scene: its category index (0-based), visible mask (row-major, 0/1), box and area.</summary>
public sealed record SceneInstance(int Category, byte[] Mask, int X0, int Y0, int X1, int Y1, int Area);

/// <summary>A rendered scene: RGB pixels (row-major, 3 bytes each) and its instances, front-most last.</summary>
public sealed record Scene(int Width, int Height, byte[] Rgb, IReadOnlyList<SceneInstance> Instances);

/// <summary>
/// Draws one procedural scene, deterministically from (seed, index): a noisy gradient background with distractor
/// strokes, then textured shapes from the largest to the smallest. Masks are the exact visible pixels: each shape is
/// rasterized without anti-aliasing, and what later shapes cover is removed from earlier ones.
/// </summary>
public static class ShapesScene
{
    public static Scene Render(ShapesConfig config, int seed, int index)
    {
        int s = config.Size;
        var rnd = new Random(Seeds.Mix(seed, index, 0x5ca1e));
        var rgb = Background(rnd, s, config);

        int n = Math.Clamp(Poisson(rnd, config.MeanInstances), 1, config.MaxInstances);
        var plans = Enumerable.Range(0, n).Select(_ => PlanInstance(rnd, config)).OrderByDescending(p => p.Side + rnd.NextDouble() * 8).ToList();
        var masks = new List<(int cat, byte[] mask, int drawn)>();
        foreach (var plan in plans)
        {
            var mask = Rasterize(plan, s);
            int drawn = 0;
            var tex = plan.Texture;
            for (int y = 0, i = 0; y < s; y++)
                for (int x = 0; x < s; x++, i++)
                {
                    if (mask[i] == 0) continue;
                    drawn++;
                    var c = tex.At(x, y);
                    rgb[3 * i] = c.R; rgb[3 * i + 1] = c.G; rgb[3 * i + 2] = c.B;
                }
            if (drawn == 0) continue;
            // What this shape covers is no longer visible in the earlier ones.
            foreach (var (_, earlier, _) in masks)
                for (int i = 0; i < earlier.Length; i++) if (mask[i] != 0) earlier[i] = 0;
            masks.Add((plan.Category, mask, drawn));
        }
        AddNoise(rnd, rgb, config.PixelNoise);

        var instances = new List<SceneInstance>();
        foreach (var (cat, mask, drawn) in masks)
        {
            int area = 0, x0 = s, y0 = s, x1 = -1, y1 = -1;
            for (int y = 0, i = 0; y < s; y++)
                for (int x = 0; x < s; x++, i++)
                {
                    if (mask[i] == 0) continue;
                    area++;
                    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
                }
            if (area < config.MinVisiblePixels || area < config.MinVisibleShare * drawn) continue;
            instances.Add(new SceneInstance(cat, mask, x0, y0, x1 + 1, y1 + 1, area));
        }
        return new Scene(s, s, rgb, instances);
    }

    sealed record Plan(int Category, ShapeKind Kind, float Cx, float Cy, float Side, float Angle, Texture Texture);

    static Plan PlanInstance(Random rnd, ShapesConfig config)
    {
        int s = config.Size;
        int cat = rnd.Next(config.Categories);
        // Side length by COCO area bucket: small < 32 px, medium 32..96, large > 96 (where the image allows it).
        double u = rnd.NextDouble();
        double maxSide = s * 0.95;
        bool large = u >= 1 - config.LargeShare && maxSide > 110;
        (double lo, double hi) = u < config.SmallShare ? (7.0, 30.0)
            : !large ? (34.0, Math.Min(92.0, maxSide))
            : (112.0, Math.Max(112.0, Math.Min(s * 1.1, 400.0)));
        if (hi <= lo) (lo, hi) = (Math.Min(lo, maxSide * 0.5), maxSide);
        float side = (float)(lo + (hi - lo) * rnd.NextDouble());
        // Large shapes stay near the centre so most of them is in the picture.
        double spread = large ? 0.3 : 1.0;
        float cx = (float)((0.5 + (rnd.NextDouble() - 0.5) * spread) * s), cy = (float)((0.5 + (rnd.NextDouble() - 0.5) * spread) * s);
        var hue = (float)rnd.NextDouble();
        var a = Rgb.FromHsv(hue, 0.55f + 0.45f * (float)rnd.NextDouble(), 0.55f + 0.45f * (float)rnd.NextDouble());
        var b = Rgb.FromHsv((hue + 0.3f + 0.4f * (float)rnd.NextDouble()) % 1, 0.5f + 0.5f * (float)rnd.NextDouble(), 0.3f + 0.5f * (float)rnd.NextDouble());
        var kinds = new[] { TextureKind.Solid, TextureKind.Stripes, TextureKind.Checker, TextureKind.Dots };
        var tex = new Texture(kinds[rnd.Next(kinds.Length)], a, b, 3 + (float)rnd.NextDouble() * 5, (float)(rnd.NextDouble() * Math.PI), rnd.Next());
        return new Plan(cat, ShapePaths.DetectionKinds[cat], cx, cy, side, (float)(rnd.NextDouble() * 360), tex);
    }

    /// <summary>The shape's pixels as a 0/1 mask, rasterized without anti-aliasing so the mask is exact.</summary>
    internal static byte[] Rasterize(ShapeKind kind, float cx, float cy, float side, float angle, int size)
    {
        using var bmp = new SKBitmap(new SKImageInfo(size, size, SKColorType.Alpha8, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bmp))
        using (var paint = new SKPaint { IsAntialias = false, Color = SKColors.White, Style = SKPaintStyle.Fill })
        using (var path = ShapePaths.Create(kind, side / 2))
        {
            canvas.Clear(SKColors.Transparent);
            canvas.Translate(cx, cy);
            canvas.RotateDegrees(angle);
            canvas.DrawPath(path, paint);
        }
        var bytes = bmp.Bytes;
        int stride = bmp.RowBytes;
        var mask = new byte[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                mask[y * size + x] = bytes[y * stride + x] >= 128 ? (byte)1 : (byte)0;
        return mask;
    }

    static byte[] Rasterize(Plan p, int size) => Rasterize(p.Kind, p.Cx, p.Cy, p.Side, p.Angle, size);

    /// <summary>The noisy gradient background with distractor strokes, alone.</summary>
    public static byte[] RenderBackground(Random rnd, ShapesConfig config) => Background(rnd, config.Size, config);

    static byte[] Background(Random rnd, int s, ShapesConfig config)
    {
        var c0 = Rgb.FromHsv((float)rnd.NextDouble(), 0.1f + 0.4f * (float)rnd.NextDouble(), 0.2f + 0.6f * (float)rnd.NextDouble());
        var c1 = Rgb.FromHsv((float)rnd.NextDouble(), 0.1f + 0.4f * (float)rnd.NextDouble(), 0.2f + 0.6f * (float)rnd.NextDouble());
        using var bmp = new SKBitmap(new SKImageInfo(s, s, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bmp))
        {
            using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(s * (float)rnd.NextDouble(), s),
                       [new SKColor(c0.R, c0.G, c0.B), new SKColor(c1.R, c1.G, c1.B)], SKShaderTileMode.Clamp))
            using (var fill = new SKPaint { Shader = shader })
                canvas.DrawRect(0, 0, s, s, fill);
            for (int i = 0; i < config.Distractors; i++)
            {
                var c = Rgb.FromHsv((float)rnd.NextDouble(), (float)rnd.NextDouble(), 0.3f + 0.7f * (float)rnd.NextDouble());
                using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1 + (float)rnd.NextDouble() * 3, Color = new SKColor(c.R, c.G, c.B) };
                using var builder = new SKPathBuilder();
                builder.MoveTo(P(rnd, s), P(rnd, s));
                builder.CubicTo(P(rnd, s), P(rnd, s), P(rnd, s), P(rnd, s), P(rnd, s), P(rnd, s));
                using var path = builder.Detach();
                canvas.DrawPath(path, stroke);
            }
        }
        var px = bmp.Bytes;
        var rgb = new byte[s * s * 3];
        for (int i = 0; i < s * s; i++) { rgb[3 * i] = px[4 * i]; rgb[3 * i + 1] = px[4 * i + 1]; rgb[3 * i + 2] = px[4 * i + 2]; }
        return rgb;
    }

    static float P(Random rnd, int s) => (float)(rnd.NextDouble() * 1.2 - 0.1) * s;

    internal static void AddNoise(Random rnd, byte[] rgb, int amplitude)
    {
        if (amplitude <= 0) return;
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)Math.Clamp(rgb[i] + rnd.Next(-amplitude, amplitude + 1), 0, 255);
    }

    static int Poisson(Random rnd, double mean)
    {
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= rnd.NextDouble(); } while (p > l);
        return k - 1;
    }
}
