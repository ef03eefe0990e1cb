namespace Rethink.Data.Coco;

/// <summary>An axis-aligned box in COCO's [x, y, width, height] convention (pixels, continuous coordinates).</summary>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width times height, as pycocotools' loadRes computes a bbox result's area.</summary>
    public double Area => Width * Height;

    public double Right => X + Width;

    public double Bottom => Y + Height;

    /// <summary>The box as the four-number array COCO files use.</summary>
    public double[] ToArray() => [X, Y, Width, Height];
}
