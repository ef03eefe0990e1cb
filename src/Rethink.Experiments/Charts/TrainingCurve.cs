using Rethink.Training;

namespace Rethink.Experiments.Charts;

/// <summary>
/// Loss and learning rate of a run as it trains (or read back from its metrics.csv), and its evaluations: what the
/// playground's live chart shows. Thread-safe: training events may come from the training thread while a display reads.
/// </summary>
public sealed class TrainingCurve
{
    readonly object gate = new();
    readonly List<(long It, double Loss, double Lr)> points = [];
    readonly List<(long It, double Ap)> evals = [];

    public TrainingCurve(string title = "training loss") => Title = title;

    public string Title { get; }
    public long TotalIterations { get; private set; }
    public int Count { get { lock (gate) return points.Count; } }

    public void Add(IterationMetrics m) { lock (gate) { points.Add((m.Iteration, m.TotalLoss, m.LearningRate)); TotalIterations = m.TotalIterations; } }
    public void Add(EvaluationMetrics m) { if (m.Values.TryGetValue("bbox/AP", out var ap)) lock (gate) evals.Add((m.Iteration, ap)); }

    /// <summary>Subscribes to a run's events.</summary>
    public TrainingCurve Attach(TrainingEvents events)
    {
        events.Iteration += Add;
        events.Evaluation += Add;
        return this;
    }

    /// <summary>The curve of a finished (or partial) run folder, from its metrics.csv and evaluations.csv.</summary>
    public static TrainingCurve Load(string runDirectory, string? title = null)
    {
        var run = new RunDirectory(runDirectory);
        var curve = new TrainingCurve(title ?? Path.GetFileName(Path.GetFullPath(runDirectory)));
        if (File.Exists(run.MetricsFile))
        {
            var lines = File.ReadAllLines(run.MetricsFile).Where(l => l.Length > 0).ToList();
            var header = lines[0].Split(',').ToList();
            int it = header.IndexOf("iteration"), loss = header.IndexOf("total_loss"), lr = header.IndexOf("lr");
            foreach (var l in lines.Skip(1))
            {
                var f = l.Split(',');
                curve.points.Add((long.Parse(f[it], System.Globalization.CultureInfo.InvariantCulture),
                    double.Parse(f[loss], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[lr], System.Globalization.CultureInfo.InvariantCulture)));
            }
            curve.TotalIterations = curve.points.Count > 0 ? curve.points[^1].It : 0;
        }
        foreach (var p in RunResult.ReadCurve(run.EvaluationsFile))
            if (p.Values.TryGetValue("bbox/AP", out var ap)) curve.evals.Add((p.Iteration, ap));
        return curve;
    }

    /// <summary>Total loss (and its moving average), learning rate on a second axis, bbox AP points on a third.</summary>
    public PlotlyFigure Figure(int smooth = 10)
    {
        List<(long It, double Loss, double Lr)> p;
        List<(long It, double Ap)> e;
        lock (gate) { p = [.. points]; e = [.. evals]; }
        var fig = new PlotlyFigure(p.Count == 0 ? $"{Title} (waiting for the first iteration)" : $"{Title}: iteration {p[^1].It} of {TotalIterations}", "iteration", "total loss");
        fig.Line("loss", p.Select(x => (double)x.It), p.Select(x => x.Loss), "#c7c7c7", markers: false);
        var avg = new List<double>();
        for (int i = 0; i < p.Count; i++)
        {
            int from = Math.Max(0, i - smooth + 1);
            avg.Add(p.Skip(from).Take(i - from + 1).Average(x => x.Loss));
        }
        fig.Line($"loss, mean of {smooth}", p.Select(x => (double)x.It), avg, "#d62728", markers: false);
        fig.Line("learning rate", p.Select(x => (double)x.It), p.Select(x => x.Lr), "#1f77b4", dash: "dot", markers: false, yAxis: "y2");
        fig.Layout["yaxis2"] = new System.Text.Json.Nodes.JsonObject
        {
            ["title"] = new System.Text.Json.Nodes.JsonObject { ["text"] = "learning rate" }, ["overlaying"] = "y", ["side"] = "right", ["showgrid"] = false,
        };
        if (e.Count > 0)
        {
            fig.Line("bbox AP (validation)", e.Select(x => (double)x.It), e.Select(x => 100 * x.Ap), "#2ca02c", yAxis: "y3");
            fig.Layout["yaxis3"] = new System.Text.Json.Nodes.JsonObject
            {
                ["title"] = new System.Text.Json.Nodes.JsonObject { ["text"] = "bbox AP" }, ["overlaying"] = "y", ["side"] = "right", ["position"] = 0.93,
                ["anchor"] = "free", ["showgrid"] = false,
            };
            ((System.Text.Json.Nodes.JsonObject)fig.Layout["xaxis"]!)["domain"] = new System.Text.Json.Nodes.JsonArray(0, 0.86);
        }
        return fig;
    }
}
