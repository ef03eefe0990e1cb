using SkiaSharp;

namespace Rethink.DataPrep.Shapes;

/// <summary>The shape families both procedural datasets draw from.</summary>
public enum ShapeKind
{
    Circle, Square, Triangle, Star, Ring, Cross, Ellipse, Hexagon, Diamond, Crescent,
    Heart, Arrow, Pentagon, Trapezoid, Bolt, Plus,
}

public static class ShapePaths
{
    /// <summary>The eight categories of the detection set (names as in notes/tiny-scale-calibration.md).</summary>
    public static IReadOnlyList<ShapeKind> DetectionKinds { get; } =
        [ShapeKind.Circle, ShapeKind.Square, ShapeKind.Triangle, ShapeKind.Star, ShapeKind.Ring, ShapeKind.Cross, ShapeKind.Ellipse, ShapeKind.Hexagon];

    public static string Name(this ShapeKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A closed path of the shape centred at the origin, fitting a square of side 2 * radius, before rotation.</summary>
    public static SKPath Create(ShapeKind kind, float radius)
    {
        using var p = new SKPathBuilder { FillType = SKPathFillType.EvenOdd };
        float r = radius;
        switch (kind)
        {
            case ShapeKind.Circle: p.AddCircle(0, 0, r); break;
            case ShapeKind.Square: p.AddRect(new SKRect(-r * 0.85f, -r * 0.85f, r * 0.85f, r * 0.85f)); break;
            case ShapeKind.Triangle: Polygon(p, 3, r, -MathF.PI / 2); break;
            case ShapeKind.Star: Star(p, 5, r, r * 0.45f); break;
            case ShapeKind.Ring: p.AddCircle(0, 0, r); p.AddCircle(0, 0, r * 0.55f); break;
            case ShapeKind.Cross:
                p.AddRect(new SKRect(-r, -r * 0.3f, r, r * 0.3f));
                p.AddRect(new SKRect(-r * 0.3f, -r, r * 0.3f, -r * 0.3f));
                p.AddRect(new SKRect(-r * 0.3f, r * 0.3f, r * 0.3f, r));
                break;
            case ShapeKind.Ellipse: p.AddOval(new SKRect(-r, -r * 0.5f, r, r * 0.5f)); break;
            case ShapeKind.Hexagon: Polygon(p, 6, r, 0); break;
            case ShapeKind.Diamond: p.MoveTo(0, -r); p.LineTo(r * 0.6f, 0); p.LineTo(0, r); p.LineTo(-r * 0.6f, 0); p.Close(); break;
            case ShapeKind.Crescent:
                p.FillType = SKPathFillType.Winding;
                using (var outerB = new SKPathBuilder()) using (var innerB = new SKPathBuilder())
                {
                    outerB.AddCircle(0, 0, r);
                    innerB.AddCircle(r * 0.45f, -r * 0.1f, r * 0.8f);
                    using var outer = outerB.Detach();
                    using var inner = innerB.Detach();
                    using var diff = outer.Op(inner, SKPathOp.Difference);
                    p.AddPath(diff);
                }
                break;
            case ShapeKind.Heart:
                p.MoveTo(0, r * 0.9f);
                p.CubicTo(-r * 1.3f, -r * 0.1f, -r * 0.6f, -r * 1.1f, 0, -r * 0.4f);
                p.CubicTo(r * 0.6f, -r * 1.1f, r * 1.3f, -r * 0.1f, 0, r * 0.9f);
                p.Close();
                break;
            case ShapeKind.Arrow:
                p.MoveTo(-r, -r * 0.25f); p.LineTo(r * 0.2f, -r * 0.25f); p.LineTo(r * 0.2f, -r * 0.7f); p.LineTo(r, 0);
                p.LineTo(r * 0.2f, r * 0.7f); p.LineTo(r * 0.2f, r * 0.25f); p.LineTo(-r, r * 0.25f); p.Close();
                break;
            case ShapeKind.Pentagon: Polygon(p, 5, r, -MathF.PI / 2); break;
            case ShapeKind.Trapezoid: p.MoveTo(-r * 0.5f, -r * 0.6f); p.LineTo(r * 0.5f, -r * 0.6f); p.LineTo(r, r * 0.6f); p.LineTo(-r, r * 0.6f); p.Close(); break;
            case ShapeKind.Bolt:
                p.MoveTo(r * 0.2f, -r); p.LineTo(-r * 0.6f, r * 0.1f); p.LineTo(-r * 0.05f, r * 0.1f); p.LineTo(-r * 0.3f, r);
                p.LineTo(r * 0.6f, -r * 0.15f); p.LineTo(r * 0.05f, -r * 0.15f); p.Close();
                break;
            case ShapeKind.Plus:
                p.FillType = SKPathFillType.Winding;
                p.AddRect(new SKRect(-r, -r * 0.15f, r, r * 0.15f));
                p.AddRect(new SKRect(-r * 0.15f, -r, r * 0.15f, r));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return p.Detach();
    }

    static void Polygon(SKPathBuilder p, int sides, float r, float phase)
    {
        for (int i = 0; i < sides; i++)
        {
            float a = phase + 2 * MathF.PI * i / sides;
            if (i == 0) p.MoveTo(r * MathF.Cos(a), r * MathF.Sin(a)); else p.LineTo(r * MathF.Cos(a), r * MathF.Sin(a));
        }
        p.Close();
    }

    static void Star(SKPathBuilder p, int points, float outer, float inner)
    {
        for (int i = 0; i < 2 * points; i++)
        {
            float a = -MathF.PI / 2 + MathF.PI * i / points;
            float rr = i % 2 == 0 ? outer : inner;
            if (i == 0) p.MoveTo(rr * MathF.Cos(a), rr * MathF.Sin(a)); else p.LineTo(rr * MathF.Cos(a), rr * MathF.Sin(a));
        }
        p.Close();
    }
}
