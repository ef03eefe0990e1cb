using System.Diagnostics;
using System.Text.Json;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Rethink.Experiments.Charts;
using Rethink.Kernel;
using TorchSharp;

namespace Rethink.Tests.Notebooks;

/// <summary>The Rethink kernel: formatters, offline chart HTML, the F# kernel, the stdio protocol VS Code speaks.</summary>
public class KernelTests
{
    public KernelTests() => TestSupport.Init();

    static PlotlyFigure Figure() => new PlotlyFigure("t", "x", "y").Line("a", [1.0, 2.0], [3.0, 4.0]);

    [Fact]
    public void PlotlyJsComesWithTheFirstChartOfASessionOnly()
    {
        PlotlyHtml.ResetSession();
        string first = PlotlyHtml.Chart(Figure()), second = PlotlyHtml.Chart(Figure());
        Assert.Contains("data-rethink-plotly-js", first);
        Assert.True(first.Length > 1_000_000, "plotly.js is embedded (offline)");
        Assert.DoesNotContain("data-rethink-plotly-js", second);
        Assert.True(PlotlyHtml.IsChart(second));
        Assert.DoesNotContain("data-rethink-plotly-js", PlotlyHtml.StripLibrary(first));
        Assert.True(PlotlyHtml.IsChart(PlotlyHtml.StripLibrary(first)));
        // Hidden from require.js (Jupyter's AMD loader would otherwise take plotly.js as an anonymous module).
        Assert.Contains("var define=undefined", first);
        PlotlyHtml.ResetSession();
        Assert.Contains("data-rethink-plotly-js", PlotlyHtml.Chart(Figure()));
    }

    [Fact]
    public void TensorsShowAsAShortSummary()
    {
        using var small = torch.tensor(new float[] { 1, 2, 3 });
        Assert.Equal("Tensor float32 [3] cpu: 1, 2, 3", Formatters.TensorSummary(small));
        using var big = torch.arange(0, 100, dtype: torch.ScalarType.Float32).reshape(10, 10);
        Assert.Equal("Tensor float32 [10, 10] cpu, min 0 max 99 mean 49.5", Formatters.TensorSummary(big));
    }

    [Fact]
    public async Task ProjectTypesAndPlotlyNetChartsFormatAsHtml()
    {
        using var kernel = RethinkKernel.Create();
        string reference = $"#r \"{typeof(PlotlyFigure).Assembly.Location}\"\n";
        var r = await kernel.SendAsync(new SubmitCode(reference + "new Rethink.Experiments.Charts.PlotlyFigure(\"t\", \"x\", \"y\")", "csharp"));
        Assert.DoesNotContain(r.Events, e => e is CommandFailed);
        var html = r.Events.OfType<ReturnValueProduced>().Single().FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.True(PlotlyHtml.IsChart(html));
        string plotlyNet = $"#r \"{typeof(Plotly.NET.GenericChart).Assembly.Location}\"\nopen Plotly.NET\nChart.Point([1.; 2.], [3.; 4.])";
        r = await kernel.SendAsync(new SubmitCode(plotlyNet, "fsharp"));
        Assert.DoesNotContain(r.Events, e => e is CommandFailed);
        html = r.Events.OfType<ReturnValueProduced>().Single().FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.True(PlotlyHtml.IsChart(html));
        Assert.Contains("\"mode\":\"markers\"", html);
    }

    [Fact]
    public async Task TheStdioKernelAnswersTheProtocolVsCodeSpeaks()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Rethink.Cli.dll");
        var psi = new ProcessStartInfo("dotnet", [cli, "notebooks", "kernel", "--working-dir", Path.GetTempPath(), "[vscode]", "stdio"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        try
        {
        _ = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteLineAsync("""{"commandType":"SubmitCode","command":{"code":"6 * 7","targetKernelName":"csharp"},"token":"c1"}""");
        await p.StandardInput.WriteLineAsync("""{"commandType":"SubmitCode","command":{"code":"let s = \"F\" + \"#\"\ns","targetKernelName":"fsharp"},"token":"f1"}""");
        await p.StandardInput.WriteLineAsync("""{"commandType":"SubmitCode","command":{"code":"nope(","targetKernelName":"csharp"},"token":"e1"}""");
        var events = new List<(string Type, string? Token, string Json)>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (events.Count(e => e.Type is "CommandSucceeded" or "CommandFailed" && e.Token is "c1" or "f1" or "e1") < 3)
        {
            string? line = await p.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null) break;
            using var doc = JsonDocument.Parse(line); // stdout carries only protocol lines
            var root = doc.RootElement;
            string? token = root.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("token", out var t) ? t.GetString() : null;
            events.Add((root.GetProperty("eventType").GetString()!, token, line));
        }
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(20_000), "the kernel exits when its client closes stdin");

        Assert.Equal("KernelReady", events[0].Type);
        Assert.Contains("\"languageName\":\"F#\"", events[0].Json);
        Assert.Contains(events, e => e.Type == "ReturnValueProduced" && e.Token == "c1" && e.Json.Contains("42"));
        Assert.Contains(events, e => e.Type == "ReturnValueProduced" && e.Token == "f1" && e.Json.Contains("F#"));
        Assert.Contains(events, e => e.Type == "CommandFailed" && e.Token == "e1" && e.Json.Contains("CS1026"));
        }
        finally
        {
            if (!p.HasExited) p.Kill(true);
        }
    }
}
