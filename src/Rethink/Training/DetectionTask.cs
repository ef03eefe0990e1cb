using Rethink.Runtime;
using Rethink.Data;
using Rethink.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>Evaluates a detector on a source: metric name (e.g. "bbox/AP") to value.</summary>
public delegate IReadOnlyDictionary<string, double> DetectionEvaluation(MaskRcnn model, string runDirectory, long iteration);

/// <summary>Mask R-CNN training on a detection source: the loader's batches, the model's losses, an optional evaluation.</summary>
public sealed class DetectionTask(MaskRcnn model, DetectionLoader loader, Device device, DetectionEvaluation? evaluation = null) : ITrainingTask
{
    public nn.Module Model => model;
    public MaskRcnn Detector => model;
    public int BatchSize => loader.Config.BatchSize;

    public IEnumerable<IDisposable> Batches(long startIteration, CancellationToken cancel) => loader.Batches(startIteration, cancel);

    public Dictionary<string, Tensor> Losses(IDisposable batch)
    {
        var b = (DetectionBatch)batch;
        bool onDevice = b.Images.Tensor.device == device;
        var images = onDevice ? b.Images : b.Images.To(device);
        var targets = onDevice ? b.Targets : b.Targets.Select(t => t.To(device)).ToList();
        return model.Losses(images, targets);
    }

    public IReadOnlyDictionary<string, double>? Evaluate(string runDirectory, long iteration) =>
        evaluation?.Invoke(model, runDirectory, iteration);

    public void Dispose() { }
}

/// <summary>Runs a detector over a whole source with the evaluation transform, yielding detections in original-image pixels.</summary>
public static class DetectionInference
{
    public static IEnumerable<(DetectionRecord record, Detections detections)> Run(MaskRcnn model, IDetectionSource source,
        TransformConfig transform, Device device, int batchSize = 4, IProgress<int>? progress = null)
    {
        var config = new LoaderConfig { BatchSize = 1, Shuffle = false, Transform = transform.ForEvaluation(), WithMasks = false };
        var rng = new Random(0);
        for (int start = 0; start < source.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, source.Count - start);
            var samples = new PreparedSample[n];
            ParallelWork.For(n, Environment.ProcessorCount, j => samples[j] = SampleTransform.Prepare(source[start + j], config.Transform, rng, source.KeypointFlipMap, withMasks: false));
            List<Detections> dets;
            using (var images = ImageBatch.FromImages(samples.Select(s => s.Image).ToList(), config.SizeDivisor))
            using (var onDevice = images.To(device))
                dets = model.Detect(onDevice, samples.Select(s => (s.OriginalHeight, s.OriginalWidth)).ToList());
            for (int j = 0; j < n; j++)
            {
                samples[j].Dispose();
                yield return (source[start + j], dets[j]);
            }
            progress?.Report(start + n);
        }
    }
}
