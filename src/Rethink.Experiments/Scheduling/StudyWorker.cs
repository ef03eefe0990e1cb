using System.Text.Json;
using System.Text.Json.Serialization;
using Rethink.Training;

namespace Rethink.Experiments.Scheduling;

/// <summary>
/// The two ends of a worker process. The parent writes the job's config as one JSON line to the worker's standard
/// input and keeps that pipe open; the worker trains and writes its events as "@event {json}" lines to standard
/// output. When the parent dies, the pipe closes and the worker stops (its run resumes from the last checkpoint next
/// time), so no orphan keeps writing into a run folder.
/// </summary>
public static class StudyWorker
{
    public const string EventPrefix = "@event ";
    /// <summary>Exit code of a worker whose run stopped on a NaN/Inf loss.</summary>
    public const int DivergedExitCode = 3;
    /// <summary>Exit code of a worker that stopped because its parent went away.</summary>
    public const int OrphanedExitCode = 75;

    internal static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>One relayed event: its type and payload.</summary>
    internal sealed record WorkerEvent(string Type, IterationMetrics? Iteration = null, EvaluationMetrics? Evaluation = null, string? Text = null);

    /// <summary>The worker's side: reads the config, runs the job, reports; returns the process exit code.</summary>
    public static int Serve(string kind, string directory, int? threads, TextReader input, TextWriter output)
    {
        string configJson = input.ReadLine() ?? throw new InvalidDataException("the worker's standard input closed before the job's config arrived");
        var job = StudyJob.FromWorkerInput(kind, directory, configJson, threads);
        var watcher = new Thread(() =>
        {
            while (input.Read() >= 0) { }
            Environment.Exit(OrphanedExitCode);
        }) { IsBackground = true, Name = "parent-watch" };
        watcher.Start();
        var gate = new object();
        void Send(WorkerEvent e)
        {
            lock (gate) { output.WriteLine(EventPrefix + JsonSerializer.Serialize(e, Json)); output.Flush(); }
        }
        var events = new TrainingEvents();
        events.Iteration += m => Send(new WorkerEvent("iteration", Iteration: m));
        events.Evaluation += m => Send(new WorkerEvent("evaluation", Evaluation: m));
        events.Message += m => Send(new WorkerEvent("message", Text: m));
        try
        {
            job.RunHere(events, CancellationToken.None);
            return 0;
        }
        catch (TrainingDivergedException e)
        {
            Send(new WorkerEvent("diverged", Text: e.Message));
            return DivergedExitCode;
        }
    }

    /// <summary>The parent's side: relays one line of a worker's output to the run's events; returns a divergence message if it is one.</summary>
    internal static string? Relay(string line, TrainingEvents? events)
    {
        if (!line.StartsWith(EventPrefix, StringComparison.Ordinal)) return null;
        var e = JsonSerializer.Deserialize<WorkerEvent>(line.AsSpan(EventPrefix.Length), Json);
        switch (e?.Type)
        {
            case "iteration" when e.Iteration is not null: events?.RaiseIteration(e.Iteration); break;
            case "evaluation" when e.Evaluation is not null: events?.RaiseEvaluation(e.Evaluation); break;
            case "message" when e.Text is not null: events?.RaiseMessage(e.Text); break;
            case "diverged": return e.Text ?? "the loss became NaN or infinite";
        }
        return null;
    }
}
