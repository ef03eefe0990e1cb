namespace Rethink.Experiments.Scheduling;

/// <summary>
/// How a study runs its jobs side by side: <paramref name="Jobs"/> worker processes at once, each with
/// <paramref name="ThreadsPerJob"/> libtorch threads, started as <paramref name="Executable"/> with
/// <paramref name="Arguments"/> followed by "KIND --out DIR --threads N" (the CLI's hidden `rethink worker`).
/// </summary>
/// <remarks>
/// Why processes and not threads: the small models of the tiny scale use a second core poorly (2 libtorch threads make
/// a step only about 1.1x faster), so two runs at one thread each do more work per minute; and each run keeps its own
/// torch random generator and seed, so a run's numbers are the same whether it trained alone or beside another (at
/// the same thread count: libtorch's sums depend on it).
/// </remarks>
public sealed record WorkerOptions(string Executable, IReadOnlyList<string> Arguments, int Jobs, int ThreadsPerJob)
{
    /// <summary>
    /// <paramref name="jobs"/> at once (null: one per core, at most <paramref name="maxJobs"/>), the cores shared
    /// among them (one thread each on 2 cores).
    /// </summary>
    public static WorkerOptions ForThisMachine(string executable, IReadOnlyList<string> arguments, int? jobs = null, int maxJobs = 2)
    {
        int n = jobs ?? Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, maxJobs));
        return new WorkerOptions(executable, arguments, n, Math.Max(1, Environment.ProcessorCount / n));
    }
}
