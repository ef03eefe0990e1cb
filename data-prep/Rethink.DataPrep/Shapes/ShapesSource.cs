using Rethink.Data;

namespace Rethink.DataPrep.Shapes;

/// <summary>
/// The procedural set as an in-memory detection source: image i is rendered from (seed, i) when asked for, so a run
/// needs no disk and gets exactly the pixels and masks `rethink data shapes` would write for the same seed.
/// </summary>
public sealed class ShapesSource : IDetectionSource
{
    readonly ShapesConfig config;
    readonly int seed;
    readonly int offset;

    /// <param name="offset">First scene index, so that a validation split can follow the training split of one seed.</param>
    public ShapesSource(int count, int seed, ShapesConfig? config = null, int offset = 0)
    {
        this.config = config ?? new ShapesConfig();
        this.config.Validate();
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        Count = count;
        this.seed = seed;
        this.offset = offset;
        CategoryNames = ShapePaths.DetectionKinds.Take(this.config.Categories).Select(k => k.Name()).ToList();
    }

    public int Count { get; }
    public IReadOnlyList<string> CategoryNames { get; }
    public ShapesConfig Config => config;

    public DetectionRecord this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            int scene = offset + index;
            Scene? cached = null;
            Scene Render() => cached ??= ShapesScene.Render(config, seed, scene);
            return new DetectionRecord(scene + 1, ShapesBuilder.FileName(scene), config.Size, config.Size,
                () => { var s = Render(); return new DecodedImage(s.Width, s.Height, s.Rgb); },
                () => Render().Instances.Select(ShapesBuilder.ToAnnotation).ToList());
        }
    }
}
