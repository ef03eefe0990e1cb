namespace Rethink.DataPrep.Shapes;

/// <summary>
/// How the procedural instance-segmentation set is drawn. Defaults: 128 px scenes, 8 categories, about 7 instances
/// per image (COCO's average; 2.3 gives VOC's), sizes spread over COCO's small / medium / large area ranges.
/// </summary>
public sealed record ShapesConfig
{
    public int Size { get; init; } = 128;
    public double MeanInstances { get; init; } = 7.0;
    public int MaxInstances { get; init; } = 20;
    /// <summary>Categories used, from <see cref="ShapePaths.DetectionKinds"/> (8 at most).</summary>
    public int Categories { get; init; } = 8;
    /// <summary>Share of small (area &lt; 32²), medium and large (&gt; 96²) objects asked for, before occlusion.</summary>
    public double SmallShare { get; init; } = 0.4;
    public double LargeShare { get; init; } = 0.15;
    /// <summary>Instances whose visible part falls below this share of their drawn area are dropped (hidden).</summary>
    public double MinVisibleShare { get; init; } = 0.3;
    public int MinVisiblePixels { get; init; } = 12;
    /// <summary>Background distractor strokes per image (unannotated clutter).</summary>
    public int Distractors { get; init; } = 6;
    public int PixelNoise { get; init; } = 18;

    public void Validate()
    {
        if (Size < 32 || Size > 4096) throw new ArgumentOutOfRangeException(nameof(Size), Size, "image size must be 32..4096 px");
        if (MeanInstances <= 0 || MeanInstances > MaxInstances) throw new ArgumentOutOfRangeException(nameof(MeanInstances), MeanInstances, $"mean instances must be in (0, {MaxInstances}]");
        if (Categories < 1 || Categories > ShapePaths.DetectionKinds.Count) throw new ArgumentOutOfRangeException(nameof(Categories), Categories, $"categories must be 1..{ShapePaths.DetectionKinds.Count}");
        if (SmallShare < 0 || LargeShare < 0 || SmallShare + LargeShare > 1)
            throw new ArgumentOutOfRangeException(nameof(SmallShare), SmallShare, $"small ({SmallShare}) and large ({LargeShare}) shares must be >= 0 and sum to at most 1");
    }
}
