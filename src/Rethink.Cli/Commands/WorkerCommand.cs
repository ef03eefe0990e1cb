using System.CommandLine;
using Rethink.Experiments.Scheduling;

namespace Rethink.Cli.Commands;

/// <summary>
/// `rethink worker pretrain|detection --out DIR --threads N` (hidden): one job of a study in its own process, its config
/// as one JSON line on standard input, its events on standard output (see <see cref="StudyWorker"/>).
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "One job of a study, started by `rethink reproduce`.") { Hidden = true };
        foreach (string kind in new[] { "pretrain", "detection" })
        {
            var outDir = new Option<string>("--out") { Required = true };
            var threads = new Option<int?>("--threads");
            var sub = new Command(kind);
            sub.Options.Add(outDir); sub.Options.Add(threads);
            sub.SetAction(p => StudyWorker.Serve(kind, p.GetValue(outDir)!, p.GetValue(threads), Console.In, Console.Out));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    /// <summary>How to start this same program as a worker (<paramref name="jobs"/> null: one per core, at most 2).</summary>
    public static WorkerOptions Options(int? jobs)
    {
        var (exe, prefix) = ThisProgram.Command();
        return WorkerOptions.ForThisMachine(exe, [.. prefix, "worker"], jobs);
    }
}
