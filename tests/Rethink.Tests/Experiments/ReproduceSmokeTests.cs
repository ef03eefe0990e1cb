using Rethink.Experiments;

namespace Rethink.Tests.Experiments;

/// <summary>The main job end to end at smoke scale: pre-training, detection runs, results.csv and an offline report.</summary>
public class ReproduceSmokeTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "rethink-study-" + Guid.NewGuid().ToString("N"));

    public ReproduceSmokeTests() => TestSupport.Init();

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public void SmokeStudyWritesResultsAndReportAndReusesFinishedRuns()
    {
        var plan = StudyPlan.ForScale("smoke");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var outcome = ReproduceStudy.Run(plan, root);
        var first = sw.Elapsed;

        var lines = File.ReadAllLines(outcome.ResultsCsv);
        Assert.Equal(string.Join(",", ReproduceStudy.ResultColumns), lines[0]);
        Assert.Equal(plan.Runs(root).Count + 1, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("scratch,gn,2x,30,60,"));
        Assert.Contains(lines, l => l.StartsWith("pretrained,frozenbn,1x,15,30,"));
        foreach (var (run, result) in outcome.Runs)
        {
            Assert.True(double.IsFinite(result.Final("bbox/AP")) && result.Final("bbox/AP") >= 0, run.Config.ShortName);
            Assert.True(double.IsFinite(result.Final("segm/AP")) && result.Final("segm/AP") >= 0, run.Config.ShortName);
            Assert.True(File.Exists(Path.Combine(result.Directory, "detections.json")));
        }
        // The longest runs carry the curve of Figure 1.
        Assert.All(outcome.Runs.Where(r => r.Run.Config.ScheduleMultiplier == 2), r => Assert.Equal(2, r.Result.Curve.Count));

        string html = File.ReadAllText(outcome.ReportHtml);
        Assert.Contains("Plotly.newPlot(\"figure1\"", html);
        Assert.Contains("Table 1", html);
        Assert.Contains("Table 2", html);
        // Works offline: plotly.js is inline, no script is fetched (plotly.js itself mentions cdn.plot.ly as a default
        // topojson URL, so that string alone says nothing).
        Assert.DoesNotMatch("<script[^>]+src=", html);
        Assert.True(html.Length > 3_000_000, "plotly.js is embedded");
        foreach (var line in StudyReport.Findings(outcome)) Assert.Contains(System.Net.WebUtility.HtmlEncode(line), html);

        sw.Restart();
        var again = ReproduceStudy.Run(plan, root);
        Assert.True(sw.Elapsed < first / 3, $"a second run reuses finished runs ({sw.Elapsed.TotalSeconds:F1} s against {first.TotalSeconds:F1} s)");
        Assert.Equal(lines, File.ReadAllLines(again.ResultsCsv));
    }
}
