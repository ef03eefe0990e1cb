namespace Rethink.Training;

/// <summary>What one iteration did: for the console, metrics.csv and live charts.</summary>
public sealed record IterationMetrics(long Iteration, long ImagesSeen, double LearningRate, IReadOnlyDictionary<string, double> Losses,
    double TotalLoss, double GradNorm, double Seconds, double ImagesPerSecond, long TotalIterations);

/// <summary>An evaluation during or after training: the metric names and values (e.g. bbox/AP, segm/AP50).</summary>
public sealed record EvaluationMetrics(long Iteration, long ImagesSeen, IReadOnlyDictionary<string, double> Values);

/// <summary>Events a notebook or the console can subscribe to while a run trains.</summary>
public sealed class TrainingEvents
{
    public event Action<IterationMetrics>? Iteration;
    public event Action<EvaluationMetrics>? Evaluation;
    public event Action<string>? Message;
    public event Action<long, string>? Checkpoint;

    // Public so that a host can relay the events of a run that trains in another process (a study worker).
    public void RaiseIteration(IterationMetrics m) => Iteration?.Invoke(m);
    public void RaiseEvaluation(EvaluationMetrics m) => Evaluation?.Invoke(m);
    public void RaiseMessage(string m) => Message?.Invoke(m);
    public void RaiseCheckpoint(long iteration, string path) => Checkpoint?.Invoke(iteration, path);
}

/// <summary>The loss became NaN or infinite: the run stopped; its last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
