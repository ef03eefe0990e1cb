using Rethink.Runtime;
using Rethink.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Data;

/// <summary>How batches are drawn: size, order, augmentation, and how many are prepared ahead in the background.</summary>
public sealed record LoaderConfig
{
    public int BatchSize { get; init; } = 2;
    public int Seed { get; init; }
    public bool Shuffle { get; init; } = true;
    public TransformConfig Transform { get; init; } = new();
    /// <summary>Batches prepared ahead on the CPU while the model trains.</summary>
    public int Prefetch { get; init; } = 4;
    /// <summary>Images decoded and transformed in parallel within a batch.</summary>
    public int Workers { get; init; } = 2;
    public bool WithMasks { get; init; } = true;
    /// <summary>Pad batched images to a multiple of this (FPN needs 32).</summary>
    public int SizeDivisor { get; init; } = 32;
}

/// <summary>A batch of prepared samples, padded into one tensor; owns its tensors.</summary>
public sealed class DetectionBatch(long iteration, ImageBatch images, IReadOnlyList<PreparedSample> samples) : IDisposable
{
    public long Iteration { get; } = iteration;
    public ImageBatch Images { get; } = images;
    public IReadOnlyList<PreparedSample> Samples { get; } = samples;
    public IReadOnlyList<DetectionTarget> Targets => Samples.Select(s => s.Target).ToList();

    public void Dispose()
    {
        Images.Dispose();
        foreach (var s in Samples) s.Dispose();
    }
}

/// <summary>
/// Endless training batches (epoch after epoch), prepared in the background. Deterministic for a seed: the order of
/// epoch e is a permutation drawn from (seed, e), and sample i of the stream is augmented with a generator seeded by
/// (seed, i), so batch k is the same whether the run started at 0 or resumed at k.
/// </summary>
public sealed class DetectionLoader(IDetectionSource source, LoaderConfig config)
{
    public IDetectionSource Source { get; } = source;
    public LoaderConfig Config { get; } = config;

    readonly EpochOrder order = new(source.Count, config.Seed, config.Shuffle);

    /// <summary>The dataset index of the i-th sample of the endless stream.</summary>
    public int IndexOf(long streamPosition) => order.IndexOf(streamPosition);

    /// <summary>Prepares batch <paramref name="iteration"/> on the calling thread.</summary>
    public DetectionBatch Prepare(long iteration)
    {
        int b = Config.BatchSize;
        var samples = new PreparedSample[b];
        ParallelWork.For(b, Config.Workers, j =>
        {
            long pos = iteration * b + j;
            samples[j] = SampleTransform.Prepare(Source[IndexOf(pos)], Config.Transform, order.SampleRandom(pos), Source.KeypointFlipMap, Config.WithMasks);
        });
        var images = ImageBatch.FromImages(samples.Select(s => s.Image).ToList(), Config.SizeDivisor);
        return new DetectionBatch(iteration, images, samples);
    }

    /// <summary>Batches from <paramref name="startIteration"/> on, prepared <see cref="LoaderConfig.Prefetch"/> ahead in the background.</summary>
    public IEnumerable<DetectionBatch> Batches(long startIteration, CancellationToken cancel = default) =>
        Prefetcher.Run(Prepare, startIteration, Config.Prefetch, cancel);
}
