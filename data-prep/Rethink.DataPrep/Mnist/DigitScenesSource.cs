using Rethink.Data;

namespace Rethink.DataPrep.Mnist;

/// <summary>
/// Digit scenes as an in-memory detection source: scene i is rendered from (seed, split, i) when asked for, so a run
/// needs no disk and gets exactly the pixels and masks `rethink data digits` writes for the same seed, split and size.
/// MNIST is loaded (and checksummed) once, when the source is made.
/// </summary>
public sealed class DigitScenesSource : IDetectionSource
{
    readonly IdxImages digits;

    public DigitScenesSource(int count, int seed, MnistSplit split, DigitScenesConfig? config = null, string? cache = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        Config = config ?? new DigitScenesConfig();
        Config.Validate();
        Count = count;
        Seed = seed;
        Split = split;
        digits = MnistPackage.Load(split, cache);
    }

    public int Count { get; }
    public int Seed { get; }
    public MnistSplit Split { get; }
    public DigitScenesConfig Config { get; }
    public IReadOnlyList<string> CategoryNames => DigitScenesBuilder.CategoryNames;

    public DetectionRecord this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            DigitSceneImage? cached = null;
            DigitSceneImage Render() => cached ??= DigitScene.Render(Config, digits, Seed, Split, index);
            return new DetectionRecord(index + 1, DigitScenesBuilder.FileName(index), Config.Size, Config.Size,
                () => { var s = Render(); return new DecodedImage(s.Size, s.Size, s.Rgb); },
                () => Render().Digits.Select(d => new InstanceAnnotation(d.Digit + 1, d.X0, d.Y0, d.X1, d.Y1, d.Mask)).ToList());
        }
    }
}
