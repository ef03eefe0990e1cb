using System.Net;
using System.Text;
using Markdig;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Formatting;
using Rethink.Experiments.Charts;

namespace Rethink.Kernel;

/// <summary>An executed notebook as one standalone HTML page: markdown rendered, code shown, outputs inline, plotly.js embedded once (works offline).</summary>
public static class NotebookPage
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static string Render(InteractiveDocument document, string title, IReadOnlyList<CellResult> cells)
    {
        var failures = cells.Where(c => c.Error is not null).ToDictionary(c => c.Index);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title><style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}")
          .Append("pre.code{background:#f6f8fa;border-left:3px solid #8aa;padding:8px 10px;overflow-x:auto;font-size:0.85em}")
          .Append("pre.out{background:#fff;border-left:3px solid #ddd;padding:4px 10px;font-size:0.85em;white-space:pre-wrap}")
          .Append(".err{border-left-color:#d62728!important;color:#a00}.kernel{color:#888;font-size:0.75em}")
          .Append("table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}")
          .Append("</style>").Append(PlotlyHtml.LibraryScript()).Append("</head><body>");
        for (int i = 0; i < document.Elements.Count; i++)
        {
            var cell = document.Elements[i];
            if (cell.KernelName is "markdown" or "md") { sb.Append(Markdig.Markdown.ToHtml(cell.Contents, Markdown)); continue; }
            sb.Append($"<div class=\"kernel\">[{cell.ExecutionOrder}] {WebUtility.HtmlEncode(cell.KernelName ?? "csharp")}</div>");
            sb.Append("<pre class=\"code\">").Append(WebUtility.HtmlEncode(cell.Contents)).Append("</pre>");
            foreach (var o in cell.Outputs)
            {
                switch (o)
                {
                    case DisplayElement d: sb.Append(Output(d.Data)); break;
                    case ReturnValueElement r: sb.Append(Output(r.Data)); break;
                    case TextElement t: sb.Append($"<pre class=\"out{(t.Name == "stderr" ? " err" : "")}\">").Append(WebUtility.HtmlEncode(t.Text)).Append("</pre>"); break;
                    case ErrorElement e: sb.Append("<pre class=\"out err\">").Append(WebUtility.HtmlEncode(e.ErrorValue)).Append("</pre>"); break;
                }
            }
            if (failures.TryGetValue(i, out var f) && !cell.Outputs.OfType<ErrorElement>().Any())
                sb.Append("<pre class=\"out err\">").Append(WebUtility.HtmlEncode(f.Error)).Append("</pre>");
        }
        sb.Append("</body></html>");
        return sb.ToString();
    }

    static string Output(IDictionary<string, object> data)
    {
        if (data.TryGetValue(HtmlFormatter.MimeType, out var html)) return "<div class=\"html\">" + PlotlyHtml.StripLibrary(html?.ToString() ?? "") + "</div>";
        if (data.TryGetValue("image/png", out var png)) return $"<img src=\"data:image/png;base64,{png}\"/>";
        if (data.TryGetValue(PlainTextFormatter.MimeType, out var text)) return "<pre class=\"out\">" + WebUtility.HtmlEncode(text?.ToString() ?? "") + "</pre>";
        return "";
    }
}
