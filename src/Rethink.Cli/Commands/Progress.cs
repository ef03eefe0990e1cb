using Spectre.Console;

namespace Rethink.Cli.Commands;

/// <summary>A console progress bar around long work that reports a count; plain lines when output is redirected.</summary>
public static class Progress
{
    public static T Run<T>(string description, int total, Func<IProgress<int>, T> work)
    {
        if (Console.IsOutputRedirected)
        {
            var plain = new Progress<int>(d => Console.Error.WriteLine($"{description}: {d}/{total}"));
            return work(new SyncProgress(plain));
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: total);
                result = work(new SyncProgress(new Progress<int>(_ => { })) { OnReport = d => task.Value = d });
            });
        return result;
    }

    /// <summary>Reports on the calling thread (System.Progress posts to the thread pool, out of order).</summary>
    sealed class SyncProgress(IProgress<int> inner) : IProgress<int>
    {
        public Action<int>? OnReport { get; init; }
        public void Report(int value)
        {
            if (OnReport is not null) OnReport(value);
            else inner.Report(value);
        }
    }
}
