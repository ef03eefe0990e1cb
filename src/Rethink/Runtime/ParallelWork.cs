using System.Runtime.ExceptionServices;

namespace Rethink.Runtime;

/// <summary>
/// A loop over independent items on up to <c>maxParallelism</c> threads (1: a plain loop). A failure surfaces as
/// itself, not wrapped in an AggregateException, so a bad record's error keeps its file, record and field.
/// </summary>
public static class ParallelWork
{
    public static void For(int count, int maxParallelism, Action<int> body)
    {
        if (maxParallelism <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    public static int Cores(bool parallel) => parallel ? Environment.ProcessorCount : 1;
}
