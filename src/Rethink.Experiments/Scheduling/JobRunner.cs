using System.Diagnostics;
using Rethink.Training;

namespace Rethink.Experiments.Scheduling;

/// <summary>How a job ended: "done", "diverged" (NaN/Inf loss; the message says where) or "skipped" (what it waited for did not finish).</summary>
public sealed record JobStatus(string State, string? Message = null)
{
    public bool Done => State == "done";
}

/// <summary>
/// Runs a study's jobs: in list order as far as their dependencies allow, one at a time in this process, or several
/// at once in worker processes. Any other failure stops the remaining jobs and is raised with the job's name, folder
/// and the worker's last lines of output.
/// </summary>
public static class JobRunner
{
    public static IReadOnlyDictionary<string, JobStatus> Run(IReadOnlyList<StudyJob> jobs, WorkerOptions? workers,
        Func<string, TrainingEvents>? eventsFor = null, CancellationToken cancel = default)
    {
        var status = new Dictionary<string, JobStatus>(StringComparer.Ordinal);
        var pending = jobs.ToList();
        var running = new List<(StudyJob Job, Task<JobStatus> Task)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        int slots = workers?.Jobs ?? 1;
        try
        {
            while (pending.Count > 0 || running.Count > 0)
            {
                while (running.Count < slots)
                {
                    var ready = pending.FirstOrDefault(j => j.WaitsFor.All(w => status.ContainsKey(w) || !pending.Concat(running.Select(r => r.Job)).Any(p => p.Directory == w)));
                    if (ready is null) break;
                    pending.Remove(ready);
                    if (ready.WaitsFor.FirstOrDefault(w => ready.NeedsFinished(w) && status.TryGetValue(w, out var s) && !s.Done) is { } failed)
                    {
                        status[ready.Directory] = new JobStatus("skipped", $"not run: {failed} did not finish ({status[failed].State})");
                        continue;
                    }
                    var events = eventsFor?.Invoke(ready.Title);
                    var job = ready;
                    if (job.Prepare() is { } prepared) events?.RaiseMessage(prepared);
                    running.Add((job, workers is null ? RunHere(job, events, stop.Token) : Task.Run(() => RunWorker(job, workers, events, stop.Token))));
                    if (workers is null) break; // in this process: one at a time, finished before the next starts
                }
                if (running.Count == 0)
                {
                    if (pending.Count > 0) throw new InvalidOperationException($"jobs wait for each other in a cycle: {string.Join(", ", pending.Select(p => p.Title))}");
                    break;
                }
                int i = Task.WaitAny(running.Select(r => (Task)r.Task).ToArray());
                var (finishedJob, task) = running[i];
                running.RemoveAt(i);
                status[finishedJob.Directory] = task.GetAwaiter().GetResult(); // a failure surfaces here, with its job's name
            }
        }
        catch
        {
            stop.Cancel();
            try { Task.WaitAll(running.Select(r => (Task)r.Task).ToArray()); } catch (AggregateException) { }
            throw;
        }
        return status;
    }

    static Task<JobStatus> RunHere(StudyJob job, TrainingEvents? events, CancellationToken cancel)
    {
        try
        {
            job.RunHere(events, cancel);
            return Task.FromResult(new JobStatus("done"));
        }
        catch (TrainingDivergedException e)
        {
            return Task.FromResult(new JobStatus("diverged", e.Message));
        }
    }

    /// <summary>
    /// A worker that dies of a signal (a native crash, exit code 128 + signal; .NET's unhandled exceptions abort) is
    /// started again this many times: its run resumes from its last checkpoint with the same numbers. Each restart is
    /// written to the run's log.txt. Errors the program reports itself (bad input: exit code 2) are not retried.
    /// </summary>
    public const int CrashRetries = 2;

    static JobStatus RunWorker(StudyJob job, WorkerOptions workers, TrainingEvents? events, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (status, exitCode, tail) = RunWorkerOnce(job, workers, events, cancel);
            if (status is not null) return status;
            if (exitCode >= 128 && attempt <= CrashRetries)
            {
                string note = $"worker crashed (exit code {exitCode}): {tail.LastOrDefault(l => l.Trim().Length > 0)?.Trim()}; resuming from the last checkpoint (attempt {attempt + 1} of {CrashRetries + 1})";
                new RunDirectory(job.Directory).Log(note);
                events?.RaiseMessage(note);
                continue;
            }
            throw new InvalidOperationException($"{job.Title} ({job.Directory}) failed in its worker process (exit code {exitCode}):\n  {string.Join("\n  ", tail)}");
        }
    }

    static (JobStatus? Status, int ExitCode, IReadOnlyList<string> Tail) RunWorkerOnce(StudyJob job, WorkerOptions workers, TrainingEvents? events, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(workers.Executable)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in workers.Arguments) psi.ArgumentList.Add(a);
        foreach (var a in new[] { job.Kind, "--out", job.Directory, "--threads", workers.ThreadsPerJob.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start the worker {workers.Executable}");
        var tail = new Queue<string>();
        string? diverged = null;
        void Keep(string line)
        {
            lock (tail) { tail.Enqueue(line); while (tail.Count > 40) tail.Dequeue(); }
        }
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Keep(e.Data); };
        process.BeginErrorReadLine();
        using var kill = cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        try
        {
            process.StandardInput.WriteLine(job.ConfigJson());
            process.StandardInput.Flush(); // left open: the worker stops when it closes (this process died)
        }
        catch (IOException)
        {
            // The worker died before reading its job: its exit code below says how.
        }
        while (process.StandardOutput.ReadLine() is { } line)
        {
            try
            {
                diverged = StudyWorker.Relay(line, events) ?? diverged;
            }
            catch (System.Text.Json.JsonException)
            {
                Keep(line);
            }
            if (!line.StartsWith(StudyWorker.EventPrefix, StringComparison.Ordinal)) Keep(line);
        }
        process.WaitForExit();
        try { process.StandardInput.Close(); } catch (IOException) { }
        cancel.ThrowIfCancellationRequested();
        if (process.ExitCode == 0) return (new JobStatus("done"), 0, []);
        if (process.ExitCode == StudyWorker.DivergedExitCode && diverged is not null) return (new JobStatus("diverged", diverged), process.ExitCode, []);
        lock (tail) return (null, process.ExitCode, tail.ToList());
    }
}
