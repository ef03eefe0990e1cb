using System.CommandLine;
using System.Diagnostics;
using Rethink.Kernel;

namespace Rethink.Cli.Commands;

/// <summary>`rethink notebooks run|kernel`: the notebooks executed headlessly, and the Rethink kernel over stdio.</summary>
public static class NotebooksCommand
{
    public static Command Create()
    {
        var cmd = new Command("notebooks", "Run the notebooks headlessly, or serve the Rethink kernel over stdio (VS Code Polyglot Notebooks).");
        cmd.Subcommands.Add(Run());
        cmd.Subcommands.Add(KernelCmd());
        return cmd;
    }

    static Command Run()
    {
        var scale = new Option<string?>("--scale") { Description = "Override the notebooks' scale: smoke (seconds each, for tests), tiny (their default), small (one GPU) or auto." };
        var outDir = new Option<string>("--out") { Description = "Where the executed .ipynb and .html pages go.", DefaultValueFactory = _ => Path.Combine("artifacts", "notebooks") };
        var runs = new Option<string?>("--runs") { Description = "Folder holding runs/ (default: the repository's runs/, where finished runs are reused)." };
        var paths = new Argument<string[]>("paths") { Description = "Notebooks or folders (default: notebooks/).", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("run", "Execute notebooks cell by cell; write each executed .ipynb and a standalone HTML page; exit non-zero naming the notebook and cell of any error.");
        cmd.Options.Add(scale); cmd.Options.Add(outDir); cmd.Options.Add(runs); cmd.Arguments.Add(paths);
        cmd.SetAction(async (p, cancel) =>
        {
            var given = p.GetValue(paths) ?? [];
            var notebooks = NotebookRunner.Find(given.Length > 0 ? given : ["notebooks"]);
            var sw = Stopwatch.StartNew();
            var results = await NotebookRunner.RunAllAsync(notebooks, new NotebookRunOptions
            {
                Scale = p.GetValue(scale), OutputDirectory = p.GetValue(outDir)!, RunsFolder = p.GetValue(runs), Log = Console.Out,
            });
            Console.WriteLine();
            foreach (var r in results)
                Console.WriteLine($"{(r.Succeeded ? "ok  " : "FAIL")} {r.Path}: {r.Cells.Count} code cells, {r.Charts} charts, {r.Seconds:F1} s -> {Path.GetRelativePath(Directory.GetCurrentDirectory(), r.Page)}");
            Console.WriteLine($"{results.Count} notebooks in {sw.Elapsed.TotalSeconds:F0} s");
            var failed = results.Where(r => !r.Succeeded).ToList();
            foreach (var f in failed) Console.Error.WriteLine("error: " + f.FailureMessage);
            return failed.Count == 0 ? 0 : 1;
        });
        return cmd;
    }

    static Command KernelCmd()
    {
        var workingDir = new Option<string?>("--working-dir") { Description = "Working directory of the kernel (VS Code passes the notebook's folder)." };
        var rest = new Argument<string[]>("ignored") { Description = "Tokens the official tool takes (e.g. [vscode], stdio); accepted and ignored.", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("kernel", "Serve the Rethink kernel (C#, F#, HTML; the project's formatters) over stdio with .NET Interactive's JSON protocol.");
        cmd.Options.Add(workingDir); cmd.Arguments.Add(rest);
        cmd.SetAction(async (p, cancel) =>
        {
            int code = await StdioHost.RunAsync(p.GetValue(workingDir), cancel);
            Environment.Exit(code); // no kernel thread may keep the process once the client has gone
            return code;
        });
        return cmd;
    }
}
