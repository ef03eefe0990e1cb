using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Rethink.Experiments;
using Rethink.Experiments.Charts;
using Rethink.Experiments.Sweeps;
using TorchSharp;

namespace Rethink.Kernel;

/// <summary>
/// How the project's types show in a notebook: charts (PlotlyFigure, Plotly.NET's GenericChart, training curves) as
/// offline plotly.js, tensors as a one-line summary, runs and studies as tables, DataFrames as tables, pictures inline.
/// Registered by the Rethink kernel and by notebooks/setup.csx (so they also apply in the official .NET Interactive).
/// </summary>
public static class Formatters
{
    static bool registered;

    public static void Register()
    {
        if (registered) return;
        registered = true;
        Html<PlotlyFigure>(f => PlotlyHtml.Chart(f));
        Html<TrainingCurve>(c => PlotlyHtml.Chart(c.Figure()));
        Html<PngImage>(p => p.ToHtml());
        Html<RunResult>(RunHtml);
        Html<StudyOutcome>(o => DataFrameHtml(ResultsTable.From(o), $"headline study at scale {o.Plan.Scale}: {o.Runs.Count} runs, {o.Root}"));
        Html<SweepOutcome>(o => DataFrameHtml(ResultsTable.From(o), $"{o.Name}: {o.Runs.Count} runs" + (o.Diverged.Count > 0 ? $", {o.Diverged.Count} diverged ({string.Join("; ", o.Diverged.Select(d => d.Run.Label))})" : "")));
        Html<DataFrame>(d => DataFrameHtml(d, null));
        Html<NotebookSession>(s => $"<div>scale <b>{s.Scale}</b> on <b>{s.Device}</b>; runs in <code>{WebUtility.HtmlEncode(s.Root)}</code>; " +
                                   $"{WebUtility.HtmlEncode(s.Plan.Detection.Arch)}, {s.Plan.Detection.ImageSize} px, {s.Plan.Detection.TrainImages} training images, " +
                                   $"batch {s.Plan.Detection.BatchSize}, 1x = {s.Plan.Detection.BaseIterations} iterations</div>");
        // Findings (sentences) as a list rather than one long line.
        Html<IReadOnlyList<string>>(lines => "<ul>" + string.Concat(lines.Select(l => $"<li>{WebUtility.HtmlEncode(l)}</li>")) + "</ul>");
        Html<torch.Tensor>(t => $"<code>{WebUtility.HtmlEncode(TensorSummary(t))}</code>");
        Formatter.Register<torch.Tensor>((t, w) => w.Write(TensorSummary(t)), PlainTextFormatter.MimeType);
        PlotlyNetCharts.Register();
    }

    static void Html<T>(Func<T, string> html)
    {
        Formatter.Register<T>((value, writer) => writer.Write(html(value)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlFormatter.MimeType);
    }

    /// <summary>"Tensor float32 [2, 3, 64, 64] cpu, min -1.2 max 3.4 mean 0.01" (values themselves only when few).</summary>
    public static string TensorSummary(torch.Tensor t)
    {
        if (t.IsInvalid) return "Tensor (disposed)";
        var sb = new StringBuilder($"Tensor {t.dtype.ToString().ToLowerInvariant()} [{string.Join(", ", t.shape)}] {t.device}");
        if (t.requires_grad) sb.Append(", requires grad");
        long n = t.numel();
        if (n == 0) return sb.Append(", empty").ToString();
        using var scope = torch.NewDisposeScope();
        var cpu = t.detach().cpu();
        if (cpu.dtype == torch.ScalarType.Bool) cpu = cpu.to_type(torch.ScalarType.Int64);
        if (n <= 8)
            return sb.Append(": ").Append(string.Join(", ", cpu.to_type(torch.ScalarType.Float64).flatten().data<double>().Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))).ToString();
        var f = cpu.to_type(torch.ScalarType.Float64);
        string F(torch.Tensor x) => x.item<double>().ToString("G4", CultureInfo.InvariantCulture);
        return sb.Append($", min {F(f.min())} max {F(f.max())} mean {F(f.mean())}").ToString();
    }

    static string RunHtml(RunResult r)
    {
        var sb = new StringBuilder($"<div><b>{WebUtility.HtmlEncode(Path.GetFileName(r.Directory))}</b>: {WebUtility.HtmlEncode(r.Config.Arch)}, {r.Config.Norm}, " +
            $"{WebUtility.HtmlEncode(r.Config.Init.StartsWith("pretrained:", StringComparison.Ordinal) ? "pre-trained" : r.Config.Init)}, {r.Config.ScheduleMultiplier:0.##}x; " +
            $"{r.Outcome.Iterations} iterations, {r.Outcome.ImagesSeen} images seen, {r.Outcome.TrainSeconds:F1} s</div>");
        sb.Append(DataFrameHtml(ResultsTable.From([(Path.GetFileName(r.Directory), r)]), null));
        return sb.ToString();
    }

    /// <summary>A DataFrame as an HTML table (the first 25 rows).</summary>
    public static string DataFrameHtml(DataFrame d, string? caption, int maxRows = 25)
    {
        var sb = new StringBuilder("<table class=\"rethink-table\">");
        if (caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in d.Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (long i = 0; i < Math.Min(d.Rows.Count, maxRows); i++)
        {
            sb.Append("<tr>");
            foreach (var c in d.Columns)
            {
                object? v = c[i];
                string s = v switch { null => "", double x when double.IsNaN(x) => "–", IFormattable x => x.ToString(null, CultureInfo.InvariantCulture), _ => v.ToString() ?? "" };
                sb.Append("<td>").Append(WebUtility.HtmlEncode(s)).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (d.Rows.Count > maxRows) sb.Append($"<div>({d.Rows.Count - maxRows} more rows)</div>");
        return sb.ToString();
    }
}
