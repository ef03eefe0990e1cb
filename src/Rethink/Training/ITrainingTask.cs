using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Training;

/// <summary>
/// What the engine trains: a model, an endless deterministic stream of batches, the losses of a batch, and an
/// evaluation. Detection (Mask R-CNN on COCO-style data) and classification pre-training both implement it.
/// </summary>
public interface ITrainingTask : IDisposable
{
    nn.Module Model { get; }
    int BatchSize { get; }
    /// <summary>Batches from <paramref name="startIteration"/> on; batch k is the same whether the run started at 0 or k.</summary>
    IEnumerable<IDisposable> Batches(long startIteration, CancellationToken cancel);
    /// <summary>Named losses of one batch, in training mode.</summary>
    Dictionary<string, Tensor> Losses(IDisposable batch);
    /// <summary>Evaluates the model (metric name to value), or null when the task has no evaluation set.</summary>
    IReadOnlyDictionary<string, double>? Evaluate(string runDirectory, long iteration);
}
