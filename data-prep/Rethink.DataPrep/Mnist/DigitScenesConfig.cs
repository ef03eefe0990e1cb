namespace Rethink.DataPrep.Mnist;

/// <summary>
/// How digit scenes are drawn. Defaults: 128 px images, about 6 digits each (Poisson, 1..16), heights spread
/// log-uniformly from 10 px to 70% of the image, strokes where the upsampled gray value reaches 128, a cluttered
/// background (gradient, strokes, unannotated textured shapes, pixel noise).
/// </summary>
public sealed record DigitScenesConfig
{
    public int Size { get; init; } = 128;
    public double MeanDigits { get; init; } = 6.0;
    public int MaxDigits { get; init; } = 16;
    public int MinHeight { get; init; } = 10;
    /// <summary>The tallest digit as a share of the image side.</summary>
    public double MaxHeightShare { get; init; } = 0.7;
    /// <summary>A pixel belongs to a digit's mask when its upsampled gray value is at least this (0..255).</summary>
    public int StrokeThreshold { get; init; } = 128;
    /// <summary>Digits whose visible strokes fall below this share of their drawn strokes are dropped (hidden).</summary>
    public double MinVisibleShare { get; init; } = 0.3;
    public int MinVisiblePixels { get; init; } = 10;
    /// <summary>Background curves per image (unannotated clutter).</summary>
    public int Distractors { get; init; } = 6;
    /// <summary>Unannotated textured shapes per image (clutter that is not a digit).</summary>
    public int ClutterShapes { get; init; } = 3;
    public int PixelNoise { get; init; } = 12;

    public void Validate()
    {
        if (Size < 32 || Size > 2048) throw new ArgumentOutOfRangeException(nameof(Size), Size, "image size must be 32..2048 px");
        if (MeanDigits <= 0 || MeanDigits > MaxDigits) throw new ArgumentOutOfRangeException(nameof(MeanDigits), MeanDigits, $"mean digits must be in (0, {MaxDigits}]");
        if (MinHeight < 6 || MinHeight > Size * MaxHeightShare)
            throw new ArgumentOutOfRangeException(nameof(MinHeight), MinHeight, $"the smallest digit height must be 6..{(int)(Size * MaxHeightShare)} px for {Size} px images");
        if (MaxHeightShare <= 0 || MaxHeightShare > 1) throw new ArgumentOutOfRangeException(nameof(MaxHeightShare), MaxHeightShare, "must be in (0, 1]");
        if (StrokeThreshold < 1 || StrokeThreshold > 254) throw new ArgumentOutOfRangeException(nameof(StrokeThreshold), StrokeThreshold, "must be 1..254");
    }
}
