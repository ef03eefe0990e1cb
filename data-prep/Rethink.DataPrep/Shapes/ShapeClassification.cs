using Rethink.Runtime;
using Rethink.Data;

namespace Rethink.DataPrep.Shapes;

/// <summary>
/// The "ImageNet" of the shapes world, for pre-training: 16 shape families x 8 textures = 128 classes (many more than
/// the detection set's 8), one centred object per image on the same kind of cluttered background, drawn on the fly
/// from (seed, index), so it needs no disk. Its shapes and textures include the detection set's, so its features
/// transfer. Images are <see cref="Size"/> px (64 by default).
/// </summary>
public sealed class ShapeClassification : IClassificationSource
{
    static readonly ShapeKind[] Kinds = Enum.GetValues<ShapeKind>();
    static readonly TextureKind[] Textures = Enum.GetValues<TextureKind>();

    public ShapeClassification(int count, int seed, int size = 64)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        if (size < 16) throw new ArgumentOutOfRangeException(nameof(size), size, "images must be at least 16 px");
        Count = count;
        Seed = seed;
        Size = size;
        ClassNames = Kinds.SelectMany(k => Textures.Select(t => $"{k.Name()}/{t.ToString().ToLowerInvariant()}")).ToList();
    }

    public int Count { get; }
    public int Seed { get; }
    public int Size { get; }
    public int NumClasses => Kinds.Length * Textures.Length;
    public IReadOnlyList<string> ClassNames { get; }

    public (DecodedImage image, int label) Get(long index)
    {
        var rnd = new Random(Seeds.Mix(Seed, index, 0xc1a55));
        int label = rnd.Next(NumClasses);
        var kind = Kinds[label / Textures.Length];
        var texKind = Textures[label % Textures.Length];
        int s = Size;
        var config = new ShapesConfig { Size = s, Distractors = 3 };
        var rgb = ShapesScene.RenderBackground(rnd, config);
        float side = s * (0.45f + 0.45f * (float)rnd.NextDouble());
        float cx = s * (0.35f + 0.3f * (float)rnd.NextDouble()), cy = s * (0.35f + 0.3f * (float)rnd.NextDouble());
        var mask = ShapesScene.Rasterize(kind, cx, cy, side, (float)(rnd.NextDouble() * 360), s);
        float hue = (float)rnd.NextDouble();
        var tex = new Texture(texKind,
            Rgb.FromHsv(hue, 0.55f + 0.45f * (float)rnd.NextDouble(), 0.55f + 0.45f * (float)rnd.NextDouble()),
            Rgb.FromHsv((hue + 0.3f + 0.4f * (float)rnd.NextDouble()) % 1, 0.5f + 0.5f * (float)rnd.NextDouble(), 0.3f + 0.5f * (float)rnd.NextDouble()),
            3 + (float)rnd.NextDouble() * 4, (float)(rnd.NextDouble() * Math.PI), rnd.Next());
        for (int y = 0, i = 0; y < s; y++)
            for (int x = 0; x < s; x++, i++)
            {
                if (mask[i] == 0) continue;
                var c = tex.At(x, y);
                rgb[3 * i] = c.R; rgb[3 * i + 1] = c.G; rgb[3 * i + 2] = c.B;
            }
        ShapesScene.AddNoise(rnd, rgb, config.PixelNoise);
        return (new DecodedImage(s, s, rgb), label);
    }
}
