using System.CommandLine;
using System.Text.Json.Nodes;
using Rethink.Cli.Commands;
using Rethink.Kernel;

namespace Rethink.Tests.Notebooks;

/// <summary>The headless runner on small made-up notebooks: outputs, failures named by notebook and cell, the chart check.</summary>
public class NotebookRunnerTests : IDisposable
{
    readonly string dir = NotebookTestSupport.TempDir("rethink-nb-unit");

    public void Dispose() => NotebookTestSupport.TryDelete(dir);

    NotebookRunOptions Options => new() { OutputDirectory = Path.Combine(dir, "out"), RunsFolder = Path.Combine(dir, "runs") };

    [Fact]
    public async Task ExecutesCSharpAndFSharpCellsAndWritesTheExecutedNotebookAndPage()
    {
        string path = NotebookTestSupport.Write(Path.Combine(dir, "ok.ipynb"),
            ("markdown", "# title\nsome *text*", null),
            ("csharp", "Console.WriteLine(\"hello\");\nvar n = 40 + 2;\nn", null),
            ("csharp", "#r \"" + typeof(Rethink.Experiments.Charts.PlotlyFigure).Assembly.Location + "\"\nnew Rethink.Experiments.Charts.PlotlyFigure(\"t\", \"x\", \"y\").Line(\"a\", new double[] { 1, 2 }, new double[] { 3, 4 })", ["chart"]),
            ("fsharp", "let square x = x * x\nprintfn \"from F#\"\nsquare 7", null),
            ("fsharp", "square 8", null));
        var r = await NotebookRunner.RunAsync(path, Options);

        Assert.True(r.Succeeded, r.FailureMessage);
        Assert.Equal(4, r.Cells.Count);
        Assert.Equal(1, r.Cells[1].Charts);
        var cells = JsonNode.Parse(File.ReadAllText(r.ExecutedNotebook))!["cells"]!.AsArray();
        Assert.Equal("# title\nsome *text*", (string?)cells[0]!["source"]);
        string first = cells[1]!["outputs"]!.ToJsonString();
        Assert.Contains("hello", first);
        Assert.Contains("42", first);
        Assert.Equal(1, (int?)cells[1]!["execution_count"]);
        Assert.Contains("data-rethink-plotly-js", cells[2]!["outputs"]!.ToJsonString());
        Assert.Equal(new[] { "chart" }, cells[2]!["metadata"]!["tags"]!.AsArray().Select(t => (string?)t));
        Assert.Contains("from F#", cells[3]!["outputs"]!.ToJsonString());
        Assert.Contains("49", cells[3]!["outputs"]!.ToJsonString());
        Assert.Contains("64", cells[4]!["outputs"]!.ToJsonString());
        string page = File.ReadAllText(r.Page);
        Assert.Contains("<h1", page);
        Assert.Contains("<em>text</em>", page);
        Assert.Contains("Plotly.newPlot", page);
    }

    [Fact]
    public async Task AFailingCellIsNamedAndStopsTheNotebook()
    {
        string path = NotebookTestSupport.Write(Path.Combine(dir, "bad.ipynb"),
            ("markdown", "intro", null),
            ("csharp", "var a = 1;", null),
            ("csharp", "throw new InvalidOperationException(\"boom in cell three\");", null),
            ("csharp", "System.IO.File.WriteAllText(\"should-not-exist.txt\", \"x\");", null));
        var r = await NotebookRunner.RunAsync(path, Options);

        Assert.False(r.Succeeded);
        Assert.Equal(2, r.Failure!.Index);
        Assert.Contains("bad.ipynb, cell 3 (code cell 2, csharp)", r.FailureMessage);
        Assert.Contains("boom in cell three", r.FailureMessage);
        Assert.False(File.Exists(Path.Combine(dir, "should-not-exist.txt")));
        var cells = JsonNode.Parse(File.ReadAllText(r.ExecutedNotebook))!["cells"]!.AsArray();
        Assert.Equal("error", (string?)cells[2]!["outputs"]![0]!["output_type"]);
        Assert.Empty(cells[3]!["outputs"]!.AsArray());
    }

    [Fact]
    public async Task ACellTaggedChartThatDrawsNoChartFails()
    {
        string path = NotebookTestSupport.Write(Path.Combine(dir, "nochart.ipynb"), ("csharp", "1 + 1", ["chart"]));
        var r = await NotebookRunner.RunAsync(path, Options);
        Assert.False(r.Succeeded);
        Assert.Contains("cell 1 (code cell 1, csharp): the cell is tagged \"chart\" but showed no chart", r.FailureMessage);
    }

    [Fact]
    public async Task AnFSharpCompileErrorIsNamed()
    {
        string path = NotebookTestSupport.Write(Path.Combine(dir, "fs.ipynb"), ("fsharp", "let x = 1", null), ("fsharp", "x + \"a\"", null));
        var r = await NotebookRunner.RunAsync(path, Options);
        Assert.False(r.Succeeded);
        Assert.Contains("cell 2 (code cell 2, fsharp)", r.FailureMessage);
    }

    [Fact]
    public async Task TheCommandExitsNonZeroNamingTheNotebookAndCell()
    {
        NotebookTestSupport.Write(Path.Combine(dir, "a-good.ipynb"), ("csharp", "1", null));
        NotebookTestSupport.Write(Path.Combine(dir, "b-bad.ipynb"), ("csharp", "1", null), ("csharp", "undefinedName", null));
        var root = new RootCommand { NotebooksCommand.Create() };
        var err = new StringWriter();
        var oldErr = Console.Error; var oldOut = Console.Out;
        Console.SetError(err); Console.SetOut(new StringWriter());
        int code;
        try { code = await root.Parse(["notebooks", "run", "--out", Path.Combine(dir, "out"), "--runs", Path.Combine(dir, "runs"), dir]).InvokeAsync(); }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
        Assert.Equal(1, code);
        Assert.Contains("b-bad.ipynb, cell 2 (code cell 2, csharp)", err.ToString());
        Assert.Contains("undefinedName", err.ToString());
        Assert.DoesNotContain("a-good", err.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "out", "a-good.html")));
    }
}
