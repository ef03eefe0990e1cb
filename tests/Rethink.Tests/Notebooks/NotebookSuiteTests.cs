using System.Diagnostics;
using System.Text.Json.Nodes;
using Rethink.Kernel;
using Xunit.Abstractions;

namespace Rethink.Tests.Notebooks;

/// <summary>
/// Every notebook under notebooks/ at the smoke scale, together, as CI runs them: each succeeds, each cell tagged
/// "chart" showed a chart, the executed .ipynb and the offline .html are written, and the suite takes at most 10
/// minutes on a 2-core machine. Runs go to a fresh temporary folder (a cold start, as on a fresh clone).
/// </summary>
public class NotebookSuiteTests(ITestOutputHelper output) : IDisposable
{
    readonly string runs = NotebookTestSupport.TempDir("rethink-nb-runs");
    readonly string outDir = NotebookTestSupport.TempDir("rethink-nb-out");

    public void Dispose()
    {
        NotebookTestSupport.TryDelete(runs);
        NotebookTestSupport.TryDelete(outDir);
    }

    [Fact]
    public async Task AllNotebooksRunAtSmokeScaleWithTheirChartsWithinTenMinutes()
    {
        var notebooks = NotebookRunner.Find([Path.Combine(NotebookTestSupport.RepoRoot, "notebooks")]);
        Assert.Equal(8, notebooks.Count);
        var log = new StringWriter();
        var sw = Stopwatch.StartNew();
        var results = await NotebookRunner.RunAllAsync(notebooks, new NotebookRunOptions { Scale = "smoke", RunsFolder = runs, OutputDirectory = outDir, Log = log });
        sw.Stop();
        foreach (var r in results) output.WriteLine($"{r.Path}: {r.Cells.Count} code cells, {r.Charts} charts, {r.Seconds:F1} s");
        output.WriteLine($"suite: {sw.Elapsed.TotalSeconds:F0} s");

        Assert.All(results, r => Assert.True(r.Succeeded, r.FailureMessage + "\n" + log));
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(10), $"the smoke suite took {sw.Elapsed.TotalMinutes:F1} min");
        foreach (var r in results)
        {
            var chartCells = r.Cells.Where(c => c.TaggedChart).ToList();
            Assert.NotEmpty(chartCells);
            Assert.All(chartCells, c => Assert.True(c.Charts > 0, $"{r.Path} cell {c.Index + 1} is tagged chart but drew none"));

            var nb = JsonNode.Parse(File.ReadAllText(r.ExecutedNotebook))!;
            var outputs = nb["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).Select(o => o!.ToJsonString()).ToList();
            Assert.Equal(1, outputs.Count(o => o.Contains("data-rethink-plotly-js", StringComparison.Ordinal)));
            string page = File.ReadAllText(r.Page);
            Assert.Equal(1, CountOf(page, "data-rethink-plotly-js"));
            Assert.Equal(r.Charts, CountOf(page, "class=\\\"rethink-plot\\\"") + CountOf(page, "class=\"rethink-plot\""));
        }
        // The playground's chart updated while the run trained (a cold run: no finished run to read back).
        var play = results.Single(r => r.Path.EndsWith("07-playground.ipynb", StringComparison.Ordinal));
        Assert.Contains(play.Cells, c => c.Updates > 1);
        // The F# cells ran (in 02) and drew a Plotly.NET chart.
        var conv = results.Single(r => r.Path.EndsWith("02-convergence.ipynb", StringComparison.Ordinal));
        Assert.Contains(conv.Cells, c => c.Kernel == "fsharp" && c.Charts == 1);
    }

    static int CountOf(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
