using System.Diagnostics;

namespace Rethink.Runtime;

/// <summary>
/// Wall-clock time per named part of a training step, when enabled (`rethink bench train-step --profile`).
/// CPU tensor ops run synchronously, so the spans are exact there; on CUDA they would need a synchronize.
/// Disabled, a span costs one branch.
/// </summary>
public static class StepProfiler
{
    static readonly Dictionary<string, (double ms, int calls)> totals = new();
    public static bool Enabled { get; set; }

    public static Span Measure(string name) => new(Enabled ? name : null);

    public readonly struct Span(string? name) : IDisposable
    {
        readonly long start = name is null ? 0 : Stopwatch.GetTimestamp();

        public void Dispose()
        {
            if (name is null) return;
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (totals)
            {
                totals.TryGetValue(name, out var t);
                totals[name] = (t.ms + ms, t.calls + 1);
            }
        }
    }

    public static IReadOnlyDictionary<string, (double ms, int calls)> Totals()
    {
        lock (totals) return new Dictionary<string, (double, int)>(totals);
    }

    public static void Reset()
    {
        lock (totals) totals.Clear();
    }
}
