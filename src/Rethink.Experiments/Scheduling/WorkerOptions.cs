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
    /// <summary>One job per core (at most <paramref name="maxJobs"/>), one thread each.</summary>
    public static WorkerOptions ForThisMachine(string executable, IReadOnlyList<string> arguments, int maxJobs = 2)
    {
        int jobs = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, maxJobs));
        return new WorkerOptions(executable, arguments, jobs, Math.Max(1, Environment.ProcessorCount / jobs));
    }
}
