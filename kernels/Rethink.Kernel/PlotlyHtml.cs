using System.Text.RegularExpressions;
using Rethink.Experiments.Charts;

namespace Rethink.Kernel;

/// <summary>
/// Chart HTML for notebook outputs that works offline: the first chart of a session carries plotly.js inline (taken from
/// the Plotly.NET package, hidden from require.js so Jupyter's AMD loader does not swallow it); every chart draws as
/// soon as window.Plotly exists. Saved notebooks and pages are normalized so plotly.js appears exactly once.
/// </summary>
public static partial class PlotlyHtml
{
    const string LibraryMarker = "data-rethink-plotly-js";
    static int counter;
    static bool libraryEmitted;

    /// <summary>Forgets that plotly.js was sent (a new notebook, a new front end).</summary>
    public static void ResetSession() => libraryEmitted = false;

    /// <summary>The script element that defines window.Plotly and draws the charts waiting for it.</summary>
    public static string LibraryScript() =>
        $"<script {LibraryMarker}=\"1\">(function(){{var define=undefined,module=undefined,exports=undefined;\n{PlotlyFigure.PlotlyJs()}\n" +
        "if(typeof Plotly!=='undefined'){window.Plotly=Plotly;}})();" +
        "(function(){var q=window.__rethinkPlotlyQueue||[];window.__rethinkPlotlyQueue=[];q.forEach(function(f){f();});})();</script>";

    /// <summary>A chart's output: a div and a script that draws it now or when plotly.js arrives.</summary>
    public static string Chart(PlotlyFigure figure, int height = 420)
    {
        string id = $"rethink-plot-{Environment.ProcessId}-{Interlocked.Increment(ref counter)}";
        string draw = $"function(){{Plotly.newPlot(\"{id}\", {figure.TracesJson()}, {figure.LayoutJson()}, {{\"responsive\": true, \"displaylogo\": false}});}}";
        string body = $"<div id=\"{id}\" class=\"rethink-plot\" style=\"width:100%;height:{height}px\"></div>\n" +
                      $"<script>(function(){{var draw={draw};if(window.Plotly){{draw();}}else{{(window.__rethinkPlotlyQueue=window.__rethinkPlotlyQueue||[]).push(draw);}}}})();</script>";
        if (libraryEmitted) return body;
        libraryEmitted = true;
        return body + LibraryScript();
    }

    /// <summary>plotly.js as a script element if this session has not had it yet (then it counts as sent), else "".</summary>
    public static string LibraryIfNotSent()
    {
        if (libraryEmitted) return "";
        libraryEmitted = true;
        return LibraryScript();
    }

    public static bool IsChart(string html) => html.Contains("class=\"rethink-plot\"", StringComparison.Ordinal);

    /// <summary>The HTML without any inline plotly.js (to add it once elsewhere).</summary>
    public static string StripLibrary(string html) => LibraryRegex().Replace(html, "");

    [GeneratedRegex("<script data-rethink-plotly-js=\"1\">.*?</script>", RegexOptions.Singleline)]
    private static partial Regex LibraryRegex();
}
