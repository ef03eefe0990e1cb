using System.Threading.Channels;

namespace Rethink.Data;

/// <summary>
/// Makes items k, k+1, ... on a background task, <c>depth</c> ahead of the consumer, in order. A failure in the
/// producer is rethrown to the consumer as it was thrown (bad data keeps its file, record and field). Items left
/// unconsumed are disposed.
/// </summary>
public static class Prefetcher
{
    public static IEnumerable<T> Run<T>(Func<long, T> make, long start, int depth, CancellationToken cancel = default) where T : IDisposable
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(Math.Max(1, depth)) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var producer = Task.Run(async () =>
        {
            try
            {
                for (long k = start; !stop.IsCancellationRequested; k++)
                {
                    var item = make(k);
                    try { await channel.Writer.WriteAsync(item, stop.Token); }
                    catch (OperationCanceledException) { item.Dispose(); break; }
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e) { channel.Writer.TryComplete(e); }
        });
        try
        {
            while (true)
            {
                bool more;
                try { more = channel.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult(); }
                catch (ChannelClosedException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
                if (!more) break;
                if (channel.Reader.TryRead(out var item)) yield return item;
            }
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
            while (channel.Reader.TryRead(out var left)) left.Dispose();
        }
    }
}
