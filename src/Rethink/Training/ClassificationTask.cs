using Rethink.Runtime;
using Rethink.Data;
using Rethink.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>A batch of classification images (B, 3, S, S) in [0, 1] and their labels.</summary>
public sealed class ClassificationBatch(Tensor images, Tensor labels) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Classification pre-training: cross-entropy on a labelled source, random horizontal flips, top-1/top-5 accuracy on
/// a held-out source. Deterministic for a seed, like the detection loader.
/// </summary>
public sealed class ClassificationTask(ImageClassifier model, IClassificationSource train, IClassificationSource? validation,
    int batchSize, int seed, Device device, int prefetch = 4) : ITrainingTask
{
    readonly EpochOrder order = new(train.Count, seed);

    public nn.Module Model => model;
    public ImageClassifier Classifier => model;
    public int BatchSize => batchSize;

    public ClassificationBatch Prepare(long iteration)
    {
        var items = new (DecodedImage image, int label)[batchSize];
        var flips = new bool[batchSize];
        ParallelWork.For(batchSize, Environment.ProcessorCount, j =>
        {
            long pos = iteration * batchSize + j;
            items[j] = train.Get(order.IndexOf(pos));
            flips[j] = order.SampleRandom(pos).NextDouble() < 0.5;
        });
        return ToBatch(items, flips);
    }

    static ClassificationBatch ToBatch(IReadOnlyList<(DecodedImage image, int label)> items, IReadOnlyList<bool>? flips)
    {
        using var scope = NewDisposeScope();
        var imgs = new List<Tensor>();
        for (int i = 0; i < items.Count; i++)
        {
            var im = items[i].image;
            var t = im.ToTensor();
            imgs.Add(flips is not null && flips[i] ? t.flip(2) : t);
        }
        var images = stack(imgs).MoveToOuterDisposeScope();
        var labels = tensor(items.Select(x => (long)x.label).ToArray()).MoveToOuterDisposeScope();
        return new ClassificationBatch(images, labels);
    }

    public IEnumerable<IDisposable> Batches(long startIteration, CancellationToken cancel) =>
        Prefetcher.Run(Prepare, startIteration, prefetch, cancel);

    public Dictionary<string, Tensor> Losses(IDisposable batch)
    {
        var b = (ClassificationBatch)batch;
        var logits = model.forward(b.Images.to(device));
        return new() { ["loss_cls"] = nn.functional.cross_entropy(logits, b.Labels.to(device)) };
    }

    public IReadOnlyDictionary<string, double>? Evaluate(string runDirectory, long iteration) =>
        validation is null ? null : Accuracy(model, validation, batchSize, device);

    /// <summary>Top-1 and top-5 accuracy (in [0, 1]) over a whole source.</summary>
    public static IReadOnlyDictionary<string, double> Accuracy(ImageClassifier model, IClassificationSource source, int batchSize, Device device)
    {
        model.eval();
        long top1 = 0, top5 = 0;
        using var _ = no_grad();
        for (long start = 0; start < source.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = (int)Math.Min(batchSize, source.Count - start);
            var items = new (DecodedImage, int)[n];
            ParallelWork.For(n, Environment.ProcessorCount, j => items[j] = source.Get(start + j));
            using var batch = ToBatch(items, null);
            var logits = model.forward(batch.Images.to(device));
            var labels = batch.Labels.to(device);
            var top = logits.topk(Math.Min(5, (int)logits.shape[1])).indexes;
            top1 += (top[TensorIndex.Colon, 0] == labels).sum().item<long>();
            top5 += (top == labels.unsqueeze(1)).any(1).sum().item<long>();
        }
        model.train();
        return new Dictionary<string, double> { ["top1"] = top1 / (double)source.Count, ["top5"] = top5 / (double)source.Count };
    }

    public void Dispose() { }
}
