namespace Rethink.DataPrep.Shapes;

/// <summary>Surface patterns; both datasets use them so features learned on one transfer to the other.</summary>
public enum TextureKind { Solid, Stripes, Checker, Dots, Gradient, Waves, Grid, Noise }

/// <summary>A texture instance: kind, two colours, scale and angle, evaluated per pixel.</summary>
public readonly record struct Texture(TextureKind Kind, Rgb A, Rgb B, float Period, float Angle, int NoiseSeed)
{
    public Rgb At(int x, int y)
    {
        float c = MathF.Cos(Angle), s = MathF.Sin(Angle);
        float u = (x * c + y * s) / Period, v = (-x * s + y * c) / Period;
        bool first = Kind switch
        {
            TextureKind.Solid => true,
            TextureKind.Stripes => Frac(u) < 0.5f,
            TextureKind.Checker => (Floor(u) + Floor(v)) % 2 == 0,
            TextureKind.Dots => Sq(Frac(u) - 0.5f) + Sq(Frac(v) - 0.5f) > 0.08f,
            TextureKind.Waves => MathF.Sin(2 * MathF.PI * (u + 0.3f * MathF.Sin(2 * MathF.PI * v))) > 0,
            TextureKind.Grid => Frac(u) > 0.25f && Frac(v) > 0.25f,
            TextureKind.Noise => (Hash(x, y, NoiseSeed) & 1) == 0,
            TextureKind.Gradient => false,
            _ => true,
        };
        if (Kind == TextureKind.Gradient) return Rgb.Lerp(A, B, Math.Clamp(Frac(u / 4), 0, 1));
        return first ? A : B;
    }

    static float Frac(float t) => t - MathF.Floor(t);
    static int Floor(float t) => (int)MathF.Floor(t) & 0x7fffffff;
    static float Sq(float t) => t * t;
    static uint Hash(int x, int y, int seed) => (uint)((x * 73856093) ^ (y * 19349663) ^ (seed * 83492791)) * 2654435761u >> 16;
}

public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Lerp(Rgb a, Rgb b, float t) =>
        new((byte)(a.R + (b.R - a.R) * t), (byte)(a.G + (b.G - a.G) * t), (byte)(a.B + (b.B - a.B) * t));

    /// <summary>A colour from hue, saturation and value in [0, 1].</summary>
    public static Rgb FromHsv(float h, float s, float v)
    {
        float r = 0, g = 0, b = 0;
        int i = (int)(h * 6) % 6;
        float f = h * 6 - MathF.Floor(h * 6), p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        (r, g, b) = i switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
        return new((byte)(r * 255), (byte)(g * 255), (byte)(b * 255));
    }
}
