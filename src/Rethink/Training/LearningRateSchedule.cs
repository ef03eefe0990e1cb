namespace Rethink.Training;

/// <summary>
/// The paper's schedule rule: a "k x" schedule runs k times a base length (1x = 90k iterations at batch 16 on COCO),
/// and the learning rate is divided by 10 at the last 2/3 and the last 2/9 of a base length before the end (the last
/// 60k and 20k of 90k), whatever the total, after a linear warm-up. With k below 2/3 the first drop falls before the
/// start, so such a schedule begins at a tenth of the rate.
/// </summary>
public sealed record LearningRateSchedule(int BaseIterations, double Multiplier, double BaseLearningRate, int WarmupIterations,
    double WarmupFactor = 0.001)
{
    public int TotalIterations => (int)Math.Round(BaseIterations * Multiplier);

    /// <summary>Iterations at which the rate is divided by 10 (may be 0 for very short schedules).</summary>
    public IReadOnlyList<int> Milestones =>
    [
        Math.Max(0, TotalIterations - (int)Math.Round(BaseIterations * 2.0 / 3)),
        Math.Max(0, TotalIterations - (int)Math.Round(BaseIterations * 2.0 / 9)),
    ];

    /// <summary>The rate for iteration <paramref name="iteration"/> (0-based).</summary>
    public double At(long iteration)
    {
        double lr = BaseLearningRate;
        foreach (int m in Milestones) if (iteration >= m) lr *= 0.1;
        if (iteration < WarmupIterations)
        {
            double alpha = iteration / (double)WarmupIterations;
            lr *= WarmupFactor * (1 - alpha) + alpha;
        }
        return lr;
    }

    /// <summary>The linear scaling rule: the rate for <paramref name="batchSize"/> given the rate at the reference batch.</summary>
    public static double Scaled(double rateAtReference, int batchSize, int referenceBatch = 16) => rateAtReference * batchSize / referenceBatch;

    public void Validate()
    {
        if (BaseIterations < 1) throw new ArgumentOutOfRangeException(nameof(BaseIterations), BaseIterations, "the base schedule needs at least one iteration");
        if (Multiplier <= 0) throw new ArgumentOutOfRangeException(nameof(Multiplier), Multiplier, "the schedule multiplier must be positive");
        if (BaseLearningRate <= 0 || double.IsNaN(BaseLearningRate)) throw new ArgumentOutOfRangeException(nameof(BaseLearningRate), BaseLearningRate, "the learning rate must be positive");
        if (WarmupIterations < 0) throw new ArgumentOutOfRangeException(nameof(WarmupIterations), WarmupIterations, "warm-up cannot be negative");
    }
}
