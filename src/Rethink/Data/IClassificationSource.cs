namespace Rethink.Data;

/// <summary>A labelled image source for classification pre-training; samples may be generated on the fly.</summary>
public interface IClassificationSource
{
    int Count { get; }
    int NumClasses { get; }
    IReadOnlyList<string> ClassNames { get; }
    /// <summary>Sample <paramref name="index"/>: RGB pixels and its class (0-based). Thread-safe.</summary>
    (DecodedImage image, int label) Get(long index);
}
