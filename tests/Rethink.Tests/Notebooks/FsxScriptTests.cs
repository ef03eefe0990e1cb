using System.Diagnostics;
using Xunit.Abstractions;

namespace Rethink.Tests.Notebooks;

/// <summary>Every F# script under scripts/ runs with `dotnet fsi` (at the smoke scale, runs in a temporary folder).</summary>
public class FsxScriptTests(ITestOutputHelper output) : IDisposable
{
    readonly string runs = NotebookTestSupport.TempDir("rethink-fsx-runs");

    public void Dispose() => NotebookTestSupport.TryDelete(runs);

    (int Code, string Output) Fsi(string script)
    {
        var psi = new ProcessStartInfo("dotnet", ["fsi", "--quiet", script, "smoke"])
        {
            WorkingDirectory = NotebookTestSupport.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["RETHINK_RUNS"] = runs;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000)) { p.Kill(true); return (-1, stdout + "\n(timed out)"); }
        string all = stdout + err.Result;
        output.WriteLine($"{script}: exit {p.ExitCode}\n{all}");
        return (p.ExitCode, all);
    }

    [Fact]
    public void EveryScriptRuns()
    {
        var scripts = Directory.GetFiles(Path.Combine(NotebookTestSupport.RepoRoot, "scripts"), "*.fsx").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["charts.fsx", "sweep.fsx"], scripts);
        // The sweep first: the charts script draws finished runs.
        var (code, text) = Fsi("scripts/sweep.fsx");
        Assert.True(code == 0, text);
        Assert.Contains("best: lr", text);
        (code, text) = Fsi("scripts/charts.fsx");
        Assert.True(code == 0, text);
        Assert.Contains("runs-ap-smoke.html (2 runs)", text);
        string page = File.ReadAllText(Path.Combine(NotebookTestSupport.RepoRoot, "artifacts", "fsx", "runs-ap-smoke.html"));
        Assert.Contains("Plotly.newPlot", page);
        Assert.True(page.Length > 1_000_000, "plotly.js is embedded");
        Assert.DoesNotMatch("<script[^>]+src=\"http", page);
    }
}
