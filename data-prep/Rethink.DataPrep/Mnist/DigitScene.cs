using Rethink.DataPrep.Shapes;
using Rethink.Runtime;

namespace Rethink.DataPrep.Mnist;

/// <summary>One digit of a scene: its class (0..9), which MNIST image it came from, its visible stroke mask (row-major 0/1), box (x1, y1 exclusive) and area.</summary>
public sealed record DigitInstance(int Digit, int SourceIndex, byte[] Mask, int X0, int Y0, int X1, int Y1, int Area);

/// <summary>A rendered digit scene: RGB pixels (row-major, 3 bytes each) and its digits, front-most last.</summary>
public sealed record DigitSceneImage(int Size, byte[] Rgb, IReadOnlyList<DigitInstance> Digits);

/// <summary>
/// Draws one digit scene, deterministically from (seed, split, index): the shapes set's cluttered background plus a few
/// unannotated textured shapes, then MNIST digits from the tallest to the smallest, each scaled (bilinear) to its height.
/// A digit's mask is its own stroke pixels (upsampled gray value at or above the threshold), and only those pixels are
/// painted, so the mask is exactly what the digit shows; what later digits cover is removed from earlier masks.
/// </summary>
public static class DigitScene
{
    public static DigitSceneImage Render(DigitScenesConfig config, IdxImages digits, int seed, MnistSplit split, int index)
    {
        int s = config.Size;
        var rnd = new Random(Seeds.Mix(seed, (int)split, index, 0xd161));
        var rgb = ShapesScene.RenderBackground(rnd, new ShapesConfig { Size = s, Distractors = config.Distractors });
        AddClutter(rnd, rgb, s, config.ClutterShapes);

        int n = Math.Clamp(Poisson(rnd, config.MeanDigits), 1, config.MaxDigits);
        double lo = Math.Log(config.MinHeight), hi = Math.Log(Math.Max(config.MinHeight, s * config.MaxHeightShare));
        var plans = Enumerable.Range(0, n)
            .Select(_ => (source: rnd.Next(digits.Count), height: (int)Math.Round(Math.Exp(lo + (hi - lo) * rnd.NextDouble())), aspect: 0.85 + 0.3 * rnd.NextDouble(), u: rnd.NextDouble(), v: rnd.NextDouble(), hue: rnd.NextDouble(), sat: rnd.NextDouble(), val: rnd.NextDouble()))
            .OrderByDescending(p => p.height).ToList();

        var drawn = new List<(int digit, int source, byte[] mask, int strokes)>();
        foreach (var p in plans)
        {
            var image = digits.Image(p.source);
            var (cx, cy, cw, ch) = InkBox(image, digits.Cols, digits.Rows);
            if (cw == 0) continue;
            int h = Math.Clamp(p.height, 2, s);
            int w = Math.Clamp((int)Math.Round(cw * (h / (double)ch) * p.aspect), 2, s);
            int x0 = (int)(p.u * (s - w + 1)), y0 = (int)(p.v * (s - h + 1));
            var gray = new GrayResampler(digits.Cols, digits.Rows, cx, cy, cw, ch, w, h).Resample(image);
            var colour = Contrasting(rgb, s, x0, y0, w, h, p.hue, p.sat, p.val);
            var mask = new byte[s * s];
            int strokes = 0;
            float thr = config.StrokeThreshold;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    float g = gray[y * w + x];
                    if (g < thr) continue;
                    int i = (y0 + y) * s + x0 + x;
                    mask[i] = 1;
                    strokes++;
                    // Stroke cores take the full colour, stroke edges blend a little with what is behind.
                    float a = 0.6f + 0.4f * (g - thr) / (255 - thr);
                    rgb[3 * i] = (byte)(rgb[3 * i] + (colour.R - rgb[3 * i]) * a);
                    rgb[3 * i + 1] = (byte)(rgb[3 * i + 1] + (colour.G - rgb[3 * i + 1]) * a);
                    rgb[3 * i + 2] = (byte)(rgb[3 * i + 2] + (colour.B - rgb[3 * i + 2]) * a);
                }
            if (strokes == 0) continue;
            foreach (var (_, _, earlier, _) in drawn)
                for (int i = 0; i < earlier.Length; i++) if (mask[i] != 0) earlier[i] = 0;
            drawn.Add((digits.Label(p.source), p.source, mask, strokes));
        }
        ShapesScene.AddNoise(rnd, rgb, config.PixelNoise);

        var instances = new List<DigitInstance>();
        foreach (var (digit, source, mask, strokes) in drawn)
        {
            int area = 0, bx0 = s, by0 = s, bx1 = -1, by1 = -1;
            for (int y = 0, i = 0; y < s; y++)
                for (int x = 0; x < s; x++, i++)
                {
                    if (mask[i] == 0) continue;
                    area++;
                    if (x < bx0) bx0 = x; if (x > bx1) bx1 = x; if (y < by0) by0 = y; if (y > by1) by1 = y;
                }
            if (area < config.MinVisiblePixels || area < config.MinVisibleShare * strokes) continue;
            instances.Add(new DigitInstance(digit, source, mask, bx0, by0, bx1 + 1, by1 + 1, area));
        }
        return new DigitSceneImage(s, rgb, instances);
    }

    /// <summary>The bounding box of the non-zero pixels (x, y, width, height); width 0 for an empty image.</summary>
    static (int x, int y, int w, int h) InkBox(ReadOnlySpan<byte> image, int cols, int rows)
    {
        int x0 = cols, y0 = rows, x1 = -1, y1 = -1;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
            {
                if (image[y * cols + x] == 0) continue;
                if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
            }
        return x1 < 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>A colour whose luminance differs from the background under the box by at least 0.35 (of 1).</summary>
    static Rgb Contrasting(byte[] rgb, int s, int x0, int y0, int w, int h, double hue, double sat, double val)
    {
        double sum = 0;
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
            {
                int i = y * s + x;
                sum += Luma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
            }
        double bg = sum / (w * h);
        float sa = (float)(0.3 + 0.7 * sat);
        // Dark strokes on light ground, light strokes on dark ground; lower the saturation until the contrast holds.
        for (int attempt = 0; attempt < 8; attempt++, sa *= 0.6f)
        {
            float v = bg > 0.5 ? (float)(0.05 + 0.3 * val) : (float)(0.75 + 0.25 * val);
            var c = Rgb.FromHsv((float)hue, sa, v);
            if (Math.Abs(Luma(c.R, c.G, c.B) - bg) >= 0.35) return c;
        }
        return bg > 0.5 ? new Rgb(0, 0, 0) : new Rgb(255, 255, 255);
    }

    static double Luma(byte r, byte g, byte b) => (0.299 * r + 0.587 * g + 0.114 * b) / 255;

    static void AddClutter(Random rnd, byte[] rgb, int s, int count)
    {
        var kinds = Enum.GetValues<ShapeKind>();
        var textures = Enum.GetValues<TextureKind>();
        for (int k = 0; k < count; k++)
        {
            var kind = kinds[rnd.Next(kinds.Length)];
            float side = s * (0.1f + 0.35f * (float)rnd.NextDouble());
            var mask = ShapesScene.Rasterize(kind, (float)rnd.NextDouble() * s, (float)rnd.NextDouble() * s, side, (float)(rnd.NextDouble() * 360), s);
            float hue = (float)rnd.NextDouble();
            var tex = new Texture(textures[rnd.Next(textures.Length)],
                Rgb.FromHsv(hue, 0.2f + 0.5f * (float)rnd.NextDouble(), 0.3f + 0.6f * (float)rnd.NextDouble()),
                Rgb.FromHsv((hue + 0.5f) % 1, 0.2f + 0.5f * (float)rnd.NextDouble(), 0.3f + 0.6f * (float)rnd.NextDouble()),
                3 + (float)rnd.NextDouble() * 5, (float)(rnd.NextDouble() * Math.PI), rnd.Next());
            for (int y = 0, i = 0; y < s; y++)
                for (int x = 0; x < s; x++, i++)
                {
                    if (mask[i] == 0) continue;
                    var c = tex.At(x, y);
                    rgb[3 * i] = c.R; rgb[3 * i + 1] = c.G; rgb[3 * i + 2] = c.B;
                }
        }
    }

    static int Poisson(Random rnd, double mean)
    {
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= rnd.NextDouble(); } while (p > l);
        return k - 1;
    }
}
