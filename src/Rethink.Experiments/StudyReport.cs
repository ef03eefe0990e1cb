using System.Globalization;
using System.Net;
using System.Text;
using Rethink.Experiments.Charts;
using Rethink.Training;

namespace Rethink.Experiments;

/// <summary>
/// The study's one-page report, self-contained and offline: Figure 1 (bbox AP against images seen, each schedule's
/// learning-rate drops marked), Table 1 (AP by schedule), Table 2 (AP50 / AP75), and what this run's numbers say.
/// </summary>
public static class StudyReport
{
    static readonly Dictionary<string, string> Colors = new()
    {
        ["GN, random init"] = "#d62728", ["GN, pre-trained"] = "#1f77b4", ["FrozenBN, pre-trained"] = "#7f7f7f",
    };

    static string Pct(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("F1", CultureInfo.InvariantCulture);

    public static PlotlyFigure Figure1(StudyOutcome o)
    {
        var fig = new PlotlyFigure("Figure 1: bbox AP against images seen (validation)", "images seen", "bbox AP");
        foreach (var family in o.Runs.GroupBy(r => r.Run.Family))
        {
            string color = Colors.GetValueOrDefault(family.Key, "#2ca02c");
            var longest = family.OrderByDescending(r => r.Run.Config.ScheduleMultiplier).First();
            var curve = longest.Result.Curve.Where(p => p.Values.ContainsKey("bbox/AP")).ToList();
            if (curve.Count > 0)
                fig.Line($"{family.Key} ({longest.Run.Config.ScheduleMultiplier:0.##}x curve)", curve.Select(p => (double)p.ImagesSeen),
                    curve.Select(p => 100 * p.Values["bbox/AP"]), color, group: family.Key);
            var ends = family.OrderBy(r => r.Run.Config.ScheduleMultiplier).ToList();
            fig.Line($"{family.Key}: end of each schedule", ends.Select(r => (double)r.Result.Outcome.ImagesSeen), ends.Select(r => 100 * r.Result.Final("bbox/AP")),
                color, dash: "dot", group: family.Key, hover: ends.Select(r => $"{family.Key} {r.Run.Config.ScheduleMultiplier:0.##}x"));
        }
        // Learning-rate drops of each schedule (the paper's rule: last 2/3 and 2/9 of a base length).
        var c = o.Plan.Detection;
        foreach (double k in o.Plan.Schedules)
        {
            var schedule = new LearningRateSchedule(c.BaseIterations, k, c.LearningRate, c.WarmupIterations);
            foreach (int m in schedule.Milestones)
                fig.VerticalLine((double)m * c.BatchSize, "#bbbbbb", $"{k:0.##}x lr/10");
        }
        return fig;
    }

    public static PlotlyFigure Table2Chart(StudyOutcome o)
    {
        var fig = new PlotlyFigure("Table 2: AP50 and AP75 at the longest schedule", "metric", "AP");
        double longest = o.Plan.Schedules.Max();
        var metrics = new[] { "bbox/AP50", "bbox/AP75", "segm/AP50", "segm/AP75" };
        foreach (var (run, result) in o.Runs.Where(r => r.Run.Config.ScheduleMultiplier == longest && r.Run.Norm == "gn"))
            fig.Bars(run.Family, metrics, metrics.Select(m => 100 * result.Final(m)), Colors.GetValueOrDefault(run.Family));
        fig.Layout["barmode"] = "group";
        return fig;
    }

    /// <summary>The bbox AP (in points) under which the longest runs are too weak to say whether scratch catches up.</summary>
    public const double MeaningfulAp = 10;

    /// <summary>Sentences on the paper's finding, from this run's own numbers.</summary>
    public static IReadOnlyList<string> Findings(StudyOutcome o)
    {
        var lines = new List<string>();
        double Ap(string family, double k) => o.Runs.Where(r => r.Run.Family == family && r.Run.Config.ScheduleMultiplier == k)
            .Select(r => 100 * r.Result.Final("bbox/AP")).DefaultIfEmpty(double.NaN).First();
        double shortest = o.Plan.Schedules.Min(), longest = o.Plan.Schedules.Max();
        double preEarly = Ap("GN, pre-trained", shortest), scrEarly = Ap("GN, random init", shortest);
        double preLate = Ap("GN, pre-trained", longest), scrLate = Ap("GN, random init", longest);
        bool leadsEarly = preEarly - scrEarly > 1.0;
        bool closes = scrLate - preLate > -1.0;
        // Below this level every model is early in training and a point of AP is within run-to-run noise (the same
        // tiny study at 1 and 2 threads per run differed by up to 0.6 AP), so "within a point" would prove nothing.
        bool tooLow = Math.Max(preLate, scrLate) < MeaningfulAp;
        lines.Add($"At {shortest:0.##}x, pre-trained GN reaches {preEarly:F1} bbox AP against {scrEarly:F1} from random init: " +
                  (leadsEarly ? $"pre-training leads by {preEarly - scrEarly:F1} AP, as in the paper." : $"pre-training does not lead (difference {preEarly - scrEarly:+0.0;-0.0} AP)."));
        lines.Add($"At {longest:0.##}x, random init reaches {scrLate:F1} against {preLate:F1} pre-trained: " +
                  (tooLow ? $"both stay under {MeaningfulAp:0} bbox AP, where a point is within run-to-run noise: this does not test whether scratch catches up."
                   : closes ? $"from scratch {(scrLate >= preLate ? "matches or passes" : "is within a point of")} pre-training, as in the paper." : $"from scratch is still {preLate - scrLate:F1} AP behind."));
        lines.Add(leadsEarly && closes && !tooLow
            ? "This run shows the paper's Figure 1 pattern: pre-training speeds up convergence early; it is not needed for the final accuracy once the schedule is long enough."
            : "This run does not show the full Figure 1 pattern" + (o.Plan.Notes.Count > 0 ? "; see the notes on this scale below." : "."));
        foreach (var (run, message) in o.Diverged)
            lines.Add($"{run.Family} {run.Config.ScheduleMultiplier:0.##}x did not finish: {message}");
        if (o.PretrainGn.TryGetValue("top1", out var top1))
            lines.Add($"The GN pre-training reached {100 * top1:F1}% top-1 ({100 * o.PretrainGn.GetValueOrDefault("top5"):F1}% top-5) on its 128-class validation set (chance 0.8%).");
        return lines;
    }

    /// <summary>Table 2's point from this run's numbers: does pre-training help AP50 (classification) or AP75 (localization)?</summary>
    public static IReadOnlyList<string> MetricFindings(StudyOutcome o)
    {
        double longest = o.Plan.Schedules.Max();
        double Get(string family, string m) => o.Runs.Where(r => r.Run.Family == family && r.Run.Config.ScheduleMultiplier == longest)
            .Select(r => 100 * r.Result.Final(m)).DefaultIfEmpty(double.NaN).First();
        var lines = new List<string>();
        foreach (string m in new[] { "bbox/AP50", "bbox/AP75", "segm/AP50", "segm/AP75" })
        {
            double scr = Get("GN, random init", m), pre = Get("GN, pre-trained", m);
            lines.Add($"{m} at {longest:0.##}x: random init {scr:F1}, pre-trained {pre:F1} ({scr - pre:+0.0;-0.0}).");
        }
        lines.Add("Paper (R50, 6x, bbox): AP50 61.8 vs 61.7, AP75 45.6 vs 44.6: from scratch gains most at high IoU, so pre-training does not help localization.");
        return lines;
    }

    public static string Html(StudyOutcome o)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Rethinking ImageNet Pre-training: study at scale ")
          .Append(WebUtility.HtmlEncode(o.Plan.Scale)).Append("</title><style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}")
          .Append(".note{color:#555;font-size:0.9em}</style><script>").Append(PlotlyFigure.PlotlyJs()).Append("</script></head><body>");
        var c = o.Plan.Detection;
        sb.Append($"<h1>Rethinking ImageNet Pre-training — the headline study, scale “{WebUtility.HtmlEncode(o.Plan.Scale)}”</h1>");
        sb.Append($"<p class=\"note\">{WebUtility.HtmlEncode(c.Arch)} on {WebUtility.HtmlEncode(c.Dataset)} ({c.TrainImages} training images of {c.ImageSize} px, {c.ValidationImages} validation images), " +
                  $"batch {c.BatchSize}, lr {c.LearningRate}, 1x = {c.BaseIterations} iterations, warm-up {c.WarmupIterations}; device {WebUtility.HtmlEncode(c.Device)}; " +
                  $"whole study {o.Elapsed.TotalMinutes:F1} min (finished runs are reused, so this counts only the work done now).</p>");
        sb.Append("<h2>What the numbers say</h2><ul>");
        foreach (var line in Findings(o)) sb.Append("<li>").Append(WebUtility.HtmlEncode(line)).Append("</li>");
        sb.Append("</ul>");
        if (o.Plan.Notes.Count > 0)
        {
            sb.Append("<h2>Notes on this scale</h2><ul>");
            foreach (var note in o.Plan.Notes) sb.Append("<li>").Append(WebUtility.HtmlEncode(note)).Append("</li>");
            sb.Append("</ul>");
        }
        sb.Append("<h2>Figure 1</h2>").Append(Figure1(o).ToDiv("figure1", 480));
        sb.Append("<h2>Table 1: bbox AP / mask AP by schedule</h2><table><tr><th>init, norm</th>");
        var schedules = o.Runs.Select(r => r.Run.Config.ScheduleMultiplier).Distinct().OrderBy(k => k).ToList();
        foreach (var k in schedules) sb.Append($"<th>{k:0.##}x ({(int)Math.Round(c.BaseIterations * k)} it)</th>");
        sb.Append("</tr>");
        foreach (var family in o.Runs.GroupBy(r => r.Run.Family))
        {
            sb.Append($"<tr><td>{WebUtility.HtmlEncode(family.Key)}</td>");
            foreach (var k in schedules)
            {
                var r = family.FirstOrDefault(x => x.Run.Config.ScheduleMultiplier == k);
                sb.Append(r.Result is null ? "<td>–</td>" : $"<td>{Pct(r.Result.Final("bbox/AP"))} / {Pct(r.Result.Final("segm/AP"))}</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</table>");
        double longest = o.Plan.Schedules.Max();
        sb.Append($"<h2>Table 2: multiple metrics at {longest:0.##}x</h2><table><tr><th>init, norm</th><th>bbox AP</th><th>AP50</th><th>AP75</th><th>mask AP</th><th>AP50</th><th>AP75</th></tr>");
        foreach (var (run, r) in o.Runs.Where(x => x.Run.Config.ScheduleMultiplier == longest))
            sb.Append($"<tr><td>{WebUtility.HtmlEncode(run.Family)}</td><td>{Pct(r.Final("bbox/AP"))}</td><td>{Pct(r.Final("bbox/AP50"))}</td><td>{Pct(r.Final("bbox/AP75"))}</td>" +
                      $"<td>{Pct(r.Final("segm/AP"))}</td><td>{Pct(r.Final("segm/AP50"))}</td><td>{Pct(r.Final("segm/AP75"))}</td></tr>");
        sb.Append("</table>").Append(Table2Chart(o).ToDiv("table2", 380));
        sb.Append("<h2>Runs</h2><table><tr><th>run</th><th>iterations</th><th>images seen</th><th>train s</th></tr>");
        foreach (var (run, r) in o.Runs)
            sb.Append($"<tr><td>{WebUtility.HtmlEncode(Path.GetFileName(r.Directory))}</td><td>{r.Outcome.Iterations}</td><td>{r.Outcome.ImagesSeen}</td><td>{r.Outcome.TrainSeconds:F0}</td></tr>");
        sb.Append("</table><p class=\"note\">Paper (COCO, R50-FPN, GN, bbox AP): random init 36.8 / 39.5 / 40.6 at 2x / 3x / 4x; pre-trained 40.3 / 40.8 / 40.9. " +
                  "One seed per run here: differences of a point or two are within the noise of such small runs.</p>");
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
