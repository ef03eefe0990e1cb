using Rethink.Training;
using Spectre.Console;

namespace Rethink.Cli.Commands;

/// <summary>The console face of a training run: a live bar (iterations, images/s, loss, lr, time left), or plain lines when redirected.</summary>
public static class TrainingProgress
{
    /// <summary>For work made of several runs: each run gets its own titled events (plain lines, one per few seconds).</summary>
    public static T RunMany<T>(Func<Func<string, TrainingEvents>, T> work) => work(title => PlainEvents(title));

    static TrainingEvents PlainEvents(string title)
    {
        var events = new TrainingEvents();
        events.Message += m => Console.Error.WriteLine($"[{title}] {m}");
        var last = DateTime.MinValue;
        events.Iteration += m =>
        {
            if ((DateTime.UtcNow - last).TotalSeconds < 10 && m.Iteration != m.TotalIterations) return;
            last = DateTime.UtcNow;
            double left = (m.TotalIterations - m.Iteration) * m.Seconds;
            Console.Error.WriteLine($"[{title}] it {m.Iteration}/{m.TotalIterations} loss {m.TotalLoss:F4} lr {m.LearningRate:G3} {m.ImagesPerSecond:F1} img/s, about {left:F0} s left");
        };
        return events;
    }

    public static T Run<T>(string title, Func<TrainingEvents, T> work)
    {
        var events = new TrainingEvents();
        events.Message += m => Console.Error.WriteLine($"[{title}] {m}");
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
        {
            var last = DateTime.MinValue;
            events.Iteration += m =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds < 5 && m.Iteration != m.TotalIterations) return;
                last = DateTime.UtcNow;
                Console.Error.WriteLine($"[{title}] it {m.Iteration}/{m.TotalIterations} loss {m.TotalLoss:F4} lr {m.LearningRate:G3} {m.ImagesPerSecond:F1} img/s");
            };
            return work(events);
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title);
                events.Iteration += m =>
                {
                    task.MaxValue = m.TotalIterations;
                    task.Value = m.Iteration;
                    task.Description = $"{title} loss {m.TotalLoss:F3} lr {m.LearningRate:G2} {m.ImagesPerSecond:F0} img/s";
                };
                result = work(events);
            });
        return result;
    }
}
