using System.Runtime.ExceptionServices;

namespace Rethink.Evaluation;

/// <summary>A for loop over independent items, on all cores or one; errors surface as themselves, not wrapped.</summary>
internal static class ParallelWork
{
    public static void For(int count, bool parallel, Action<int> body)
    {
        if (!parallel)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
