using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using Rethink.Experiments.Charts;

namespace Rethink.Kernel;

/// <summary>
/// Plotly.NET charts (GenericChart) render as offline plotly.js, like the project's own figures. Kept apart: touching
/// Plotly.NET's F# types needs FSharp.Core 10.1, which this host pins (the official dotnet-interactive tool ships 10.0,
/// and there the registration is skipped rather than failing).
/// </summary>
public static class PlotlyNetCharts
{
    public static bool Register()
    {
        try { RegisterCore(); return true; }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException) { return false; }
    }

    static void RegisterCore()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(PlotlyHtml.Chart(ToFigure(chart))), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
    }

    /// <summary>The chart's traces and layout as a PlotlyFigure.</summary>
    public static PlotlyFigure ToFigure(GenericChart chart)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(GenericChart.toFigureJson(chart))!;
        return PlotlyFigure.FromJson(json["data"]?.ToJsonString() ?? "[]", json["layout"]?.ToJsonString() ?? "{}");
    }
}
