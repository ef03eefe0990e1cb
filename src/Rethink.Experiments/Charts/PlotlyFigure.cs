using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rethink.Experiments.Charts;

/// <summary>
/// A Plotly figure as plotly.js reads it (traces and layout), built from C#, rendered to HTML that works offline:
/// the plotly.js bundled inside the Plotly.NET package is embedded once per page. The notebooks' kernel shows the same
/// figures; F# scripts may use Plotly.NET's own API.
/// </summary>
public sealed class PlotlyFigure
{
    readonly JsonArray traces = new();

    public PlotlyFigure(string title, string xTitle, string yTitle)
    {
        Layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = title },
            ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = xTitle }, ["zeroline"] = false },
            ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = yTitle }, ["zeroline"] = false },
            ["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -0.2 },
            ["margin"] = new JsonObject { ["t"] = 50, ["r"] = 20 },
            ["shapes"] = new JsonArray(),
        };
    }

    public JsonObject Layout { get; }
    public int TraceCount => traces.Count;

    /// <summary>A line (with markers) through the points.</summary>
    public PlotlyFigure Line(string name, IEnumerable<double> x, IEnumerable<double> y, string? color = null, string dash = "solid",
        bool markers = true, string? group = null, IEnumerable<string>? hover = null, string? yAxis = null)
    {
        var trace = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = markers ? "lines+markers" : "lines",
            ["name"] = name,
            ["x"] = ToArray(x),
            ["y"] = ToArray(y),
            ["line"] = new JsonObject { ["dash"] = dash },
        };
        if (color is not null) ((JsonObject)trace["line"]!)["color"] = color;
        if (group is not null) trace["legendgroup"] = group;
        if (yAxis is not null) trace["yaxis"] = yAxis;
        if (hover is not null) { trace["text"] = new JsonArray(hover.Select(h => (JsonNode?)h).ToArray()); trace["hoverinfo"] = "text+y"; }
        traces.Add(trace);
        return this;
    }

    /// <summary>Grouped bars, one trace per series.</summary>
    public PlotlyFigure Bars(string name, IEnumerable<string> categories, IEnumerable<double> values, string? color = null)
    {
        var trace = new JsonObject { ["type"] = "bar", ["name"] = name, ["x"] = new JsonArray(categories.Select(c => (JsonNode?)c).ToArray()), ["y"] = ToArray(values) };
        if (color is not null) trace["marker"] = new JsonObject { ["color"] = color };
        traces.Add(trace);
        return this;
    }

    /// <summary>A vertical dotted line across the plot at <paramref name="x"/> (e.g. a learning-rate drop).</summary>
    public PlotlyFigure VerticalLine(double x, string color, string? label = null)
    {
        ((JsonArray)Layout["shapes"]!).Add(new JsonObject
        {
            ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = x, ["x1"] = x, ["y0"] = 0, ["y1"] = 1,
            ["line"] = new JsonObject { ["color"] = color, ["width"] = 1, ["dash"] = "dot" },
        });
        if (label is not null)
        {
            Layout["annotations"] ??= new JsonArray();
            ((JsonArray)Layout["annotations"]!).Add(new JsonObject
            {
                ["x"] = x, ["xref"] = "x", ["y"] = 1, ["yref"] = "paper", ["text"] = label, ["showarrow"] = false,
                ["font"] = new JsonObject { ["size"] = 9, ["color"] = color }, ["textangle"] = -90, ["xanchor"] = "right", ["yanchor"] = "top",
            });
        }
        return this;
    }

    /// <summary>The traces, e.g. to check what a chart holds.</summary>
    public IReadOnlyList<JsonNode?> Traces => traces.ToList();

    /// <summary>A figure from plotly.js JSON (traces and layout), e.g. a Plotly.NET chart's figure JSON.</summary>
    public static PlotlyFigure FromJson(string dataJson, string layoutJson)
    {
        var fig = new PlotlyFigure("", "", "");
        fig.Layout.Clear();
        foreach (var kv in (JsonNode.Parse(layoutJson) as JsonObject ?? new JsonObject()).ToList())
        {
            var node = kv.Value?.DeepClone();
            fig.Layout[kv.Key] = node;
        }
        foreach (var t in JsonNode.Parse(dataJson) as JsonArray ?? []) fig.traces.Add(t?.DeepClone());
        return fig;
    }

    public string TracesJson() => traces.ToJsonString();
    public string LayoutJson() => Layout.ToJsonString();

    /// <summary>A div and the script that draws it; plotly.js must already be on the page (see <see cref="PlotlyJs"/>).</summary>
    public string ToDiv(string id, int height = 420) =>
        $"<div id=\"{id}\" style=\"width:100%;height:{height}px\"></div>\n" +
        $"<script>Plotly.newPlot(\"{id}\", {TracesJson()}, {LayoutJson()}, {{\"responsive\": true, \"displaylogo\": false}});</script>";

    /// <summary>A whole page with plotly.js embedded: opens offline in any browser.</summary>
    public string ToStandaloneHtml(string id = "figure") =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>{PlotlyJs()}</script></head><body>{ToDiv(id)}</body></html>";

    static JsonArray ToArray(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).Select(n => (JsonNode?)n).ToArray());

    static string? plotlyJs;

    /// <summary>The plotly.js source bundled in the Plotly.NET package (no network needed).</summary>
    public static string PlotlyJs()
    {
        if (plotlyJs is not null) return plotlyJs;
        // By name, not through a Plotly.NET type: reading the resource needs no F# type loaded, so this works in hosts
        // whose FSharp.Core is older than Plotly.NET 6 wants (the official dotnet-interactive tool).
        var asm = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Plotly.NET")
                  ?? Assembly.Load(new AssemblyName("Plotly.NET"));
        string name = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("the Plotly.NET package carries no plotly.js resource");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // A closing script tag inside the library text would end the inline script early.
        return plotlyJs = reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
