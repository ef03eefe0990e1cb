using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Rethink.Experiments;
using KernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace Rethink.Kernel;

/// <summary>How to run notebooks headlessly.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Overrides the scale the notebooks ask for (smoke | tiny | small | auto); null keeps theirs.</summary>
    public string? Scale { get; init; }
    /// <summary>Where the executed .ipynb and .html go.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "notebooks");
    /// <summary>The folder that holds runs/ (null: the repository's runs/).</summary>
    public string? RunsFolder { get; init; }
    /// <summary>Stop at the first failing notebook (else run them all and report each failure).</summary>
    public bool StopOnError { get; init; }
    public TextWriter? Log { get; init; }
}

/// <summary>One executed cell: its position, kernel, charts shown, live updates of displayed values, and the error if it failed.</summary>
public sealed record CellResult(int Index, int CodeIndex, string Kernel, int Charts, bool TaggedChart, double Seconds, string? Error, int Updates = 0);

/// <summary>One executed notebook.</summary>
public sealed record NotebookResult(string Path, string ExecutedNotebook, string Page, IReadOnlyList<CellResult> Cells, double Seconds)
{
    public CellResult? Failure => Cells.FirstOrDefault(c => c.Error is not null);
    public bool Succeeded => Failure is null;
    public int Charts => Cells.Sum(c => c.Charts);

    /// <summary>"notebooks/01-normalization.ipynb, cell 5 (code cell 3, csharp): message".</summary>
    public string? FailureMessage => Failure is { } f ? $"{Path}, cell {f.Index + 1} (code cell {f.CodeIndex + 1}, {f.Kernel}): {f.Error}" : null;
}

/// <summary>
/// Executes .ipynb notebooks in process: each in a fresh Rethink kernel, with the notebook's folder as the working
/// directory, cell by cell; writes the executed notebook (outputs filled in, plotly.js once) and a standalone HTML
/// page (charts drawn offline) per notebook. A cell tagged "chart" (cell metadata tags) must show a chart.
/// </summary>
public static class NotebookRunner
{
    public static readonly KernelInfoCollection KernelInfos = new()
    {
        new KernelInfo("csharp", "C#", ["c#", "cs"]),
        new KernelInfo("fsharp", "F#", ["f#", "fs"]),
        new KernelInfo("html", "HTML"),
        new KernelInfo("markdown", "Markdown", ["md"]),
    };

    /// <summary>The notebooks a list of files and folders names (folders: their *.ipynb, in name order).</summary>
    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var list = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) list.AddRange(Directory.GetFiles(p, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal));
            else if (File.Exists(p)) list.Add(p);
            else throw new FileNotFoundException($"no notebook or folder '{p}'", p);
        }
        if (list.Count == 0) throw new ArgumentException("no notebooks found in " + string.Join(", ", paths));
        return list;
    }

    public static async Task<IReadOnlyList<NotebookResult>> RunAllAsync(IEnumerable<string> notebooks, NotebookRunOptions options)
    {
        var results = new List<NotebookResult>();
        foreach (var nb in notebooks)
        {
            var r = await RunAsync(nb, options);
            results.Add(r);
            if (!r.Succeeded && options.StopOnError) break;
        }
        return results;
    }

    public static async Task<NotebookResult> RunAsync(string notebookPath, NotebookRunOptions options)
    {
        var log = options.Log ?? TextWriter.Null;
        var total = Stopwatch.StartNew();
        string full = Path.GetFullPath(notebookPath);
        string json = await File.ReadAllTextAsync(full);
        var document = Notebook.Parse(json, KernelInfos);
        var tags = CellTags(json);
        string name = Path.GetFileNameWithoutExtension(full);
        string outDir = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(outDir);

        string cwd = Directory.GetCurrentDirectory();
        string? oldScale = Environment.GetEnvironmentVariable(NotebookSession.ScaleVariable);
        string? oldRuns = Environment.GetEnvironmentVariable(NotebookSession.RunsVariable);
        var cells = new List<CellResult>();
        try
        {
            if (options.Scale is not null) Environment.SetEnvironmentVariable(NotebookSession.ScaleVariable, options.Scale);
            if (options.RunsFolder is not null) Environment.SetEnvironmentVariable(NotebookSession.RunsVariable, Path.GetFullPath(options.RunsFolder));
            Directory.SetCurrentDirectory(Path.GetDirectoryName(full)!);
            PlotlyHtml.ResetSession();
            using var kernel = RethinkKernel.Create();
            int codeIndex = -1, order = 0;
            bool failed = false;
            for (int i = 0; i < document.Elements.Count; i++)
            {
                var cell = document.Elements[i];
                cell.Outputs.Clear();
                if (cell.KernelName is "markdown" or "md") continue;
                codeIndex++;
                bool tagged = i < tags.Count && tags[i].Contains("chart");
                if (failed) continue;
                var sw = Stopwatch.StartNew();
                log.WriteLine($"{Path.GetFileName(full)} cell {i + 1} ({cell.KernelName}) ...");
                var result = await kernel.SendAsync(new SubmitCode(cell.Contents, cell.KernelName ?? "csharp"));
                cell.ExecutionOrder = ++order;
                string? error = Collect(result.Events, cell, order);
                int charts = cell.Outputs.Count(o => o is DisplayElement d && d.Data.TryGetValue(HtmlFormatter.MimeType, out var h) && PlotlyHtml.IsChart(h?.ToString() ?? "")
                                                    || o is ReturnValueElement r && r.Data.TryGetValue(HtmlFormatter.MimeType, out var h2) && PlotlyHtml.IsChart(h2?.ToString() ?? ""));
                if (error is null && tagged && charts == 0) error = "the cell is tagged \"chart\" but showed no chart";
                int updates = result.Events.Count(e => e is DisplayedValueUpdated);
                cells.Add(new CellResult(i, codeIndex, cell.KernelName ?? "csharp", charts, tagged, sw.Elapsed.TotalSeconds, error, updates));
                log.WriteLine($"  {sw.Elapsed.TotalSeconds:F1} s" + (charts > 0 ? $", {charts} chart(s)" : "") + (updates > 0 ? $", {updates} live updates" : "") + (error is null ? "" : $", FAILED: {error}"));
                if (error is not null) failed = true;
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            Environment.SetEnvironmentVariable(NotebookSession.ScaleVariable, oldScale);
            Environment.SetEnvironmentVariable(NotebookSession.RunsVariable, oldRuns);
        }

        NormalizePlotly(document);
        string executed = Path.Combine(outDir, name + ".ipynb");
        await File.WriteAllTextAsync(executed, WithOutputs(json, document));
        string page = Path.Combine(outDir, name + ".html");
        await File.WriteAllTextAsync(page, NotebookPage.Render(document, name, cells));
        return new NotebookResult(Path.GetRelativePath(cwd, full), executed, page, cells, total.Elapsed.TotalSeconds);
    }

    /// <summary>Turns a cell's events into its outputs; returns the error message if it failed.</summary>
    static string? Collect(IEnumerable<KernelEvent> events, InteractiveDocumentElement cell, int order)
    {
        string? error = null;
        var byId = new Dictionary<string, DisplayElement>();
        foreach (var e in events)
        {
            switch (e)
            {
                case DisplayedValueUpdated u when u.ValueId is not null && byId.TryGetValue(u.ValueId, out var existing):
                    int at = cell.Outputs.IndexOf(existing);
                    var replaced = new DisplayElement(Data(u.FormattedValues));
                    cell.Outputs[at] = replaced;
                    byId[u.ValueId] = replaced;
                    break;
                case ReturnValueProduced r:
                    var rv = new ReturnValueElement { ExecutionOrder = order };
                    foreach (var kv in Data(r.FormattedValues)) rv.Data[kv.Key] = kv.Value;
                    cell.Outputs.Add(rv);
                    break;
                case DisplayEvent d when d is DisplayedValueProduced or DisplayedValueUpdated:
                    var el = new DisplayElement(Data(d.FormattedValues));
                    cell.Outputs.Add(el);
                    if (d.ValueId is not null) byId[d.ValueId] = el;
                    break;
                case StandardOutputValueProduced o:
                    cell.Outputs.Add(new TextElement(Text(o.FormattedValues), "stdout"));
                    break;
                case StandardErrorValueProduced o:
                    cell.Outputs.Add(new TextElement(Text(o.FormattedValues), "stderr"));
                    break;
                case ErrorProduced ep:
                    cell.Outputs.Add(new ErrorElement(ep.Message, "Error", []));
                    break;
                case CommandFailed f:
                    error = FirstLines(f.Message);
                    cell.Outputs.Add(new ErrorElement(f.Message, f.Exception?.GetType().Name ?? "Error", (f.Exception?.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)));
                    break;
            }
        }
        return error;
    }

    static string FirstLines(string s, int lines = 4) => string.Join(" | ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(lines).Select(l => l.Trim()));

    static Dictionary<string, object> Data(IReadOnlyCollection<FormattedValue> values) =>
        values.Where(v => !v.SuppressDisplay).GroupBy(v => v.MimeType).ToDictionary(g => g.Key, g => (object)g.First().Value);

    static string Text(IReadOnlyCollection<FormattedValue> values) => string.Concat(values.Where(v => v.MimeType == PlainTextFormatter.MimeType).Select(v => v.Value));

    /// <summary>
    /// The original notebook JSON with each cell's outputs and execution count filled in (nbformat 4), so the source,
    /// cell metadata (tags, kernel names) and notebook metadata stay exactly as they were.
    /// </summary>
    public static string WithOutputs(string ipynbJson, InteractiveDocument document)
    {
        var root = JsonNode.Parse(ipynbJson)!.AsObject();
        var cells = root["cells"]!.AsArray();
        for (int i = 0; i < cells.Count && i < document.Elements.Count; i++)
        {
            var cell = cells[i]!.AsObject();
            if ((string?)cell["cell_type"] != "code") continue;
            var el = document.Elements[i];
            cell["execution_count"] = el.ExecutionOrder > 0 ? el.ExecutionOrder : null;
            var outputs = new JsonArray();
            foreach (var o in el.Outputs)
            {
                switch (o)
                {
                    case ReturnValueElement r:
                        outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = MimeBundle(r.Data), ["execution_count"] = el.ExecutionOrder, ["metadata"] = new JsonObject() });
                        break;
                    case DisplayElement d:
                        outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = MimeBundle(d.Data), ["metadata"] = new JsonObject() });
                        break;
                    case TextElement t:
                        outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = t.Name, ["text"] = t.Text });
                        break;
                    case ErrorElement e:
                        outputs.Add(new JsonObject
                        {
                            ["output_type"] = "error", ["ename"] = e.ErrorName, ["evalue"] = e.ErrorValue,
                            ["traceback"] = new JsonArray(e.StackTrace.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                        });
                        break;
                }
            }
            cell["outputs"] = outputs;
        }
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    static JsonObject MimeBundle(IDictionary<string, object> data)
    {
        var o = new JsonObject();
        foreach (var (mime, value) in data) o[mime] = value?.ToString() ?? "";
        return o;
    }

    /// <summary>Cell tags from the notebook's JSON (metadata.tags), by cell position.</summary>
    public static IReadOnlyList<HashSet<string>> CellTags(string ipynbJson)
    {
        var list = new List<HashSet<string>>();
        if (JsonNode.Parse(ipynbJson)?["cells"] is not JsonArray cells) return list;
        foreach (var c in cells)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (c?["metadata"]?["tags"] is JsonArray tags) foreach (var t in tags) if (t?.GetValue<string>() is { } s) set.Add(s);
            list.Add(set);
        }
        return list;
    }

    /// <summary>plotly.js exactly once, in the first chart output (charts may have been drawn in any order, or updated live).</summary>
    static void NormalizePlotly(InteractiveDocument document)
    {
        bool placed = false;
        foreach (var cell in document.Elements)
            for (int k = cell.Outputs.Count - 1; k >= 0; k--)
            {
                var data = cell.Outputs[k] switch { DisplayElement d => d.Data, ReturnValueElement r => r.Data, _ => null };
                if (data is null || !data.TryGetValue(HtmlFormatter.MimeType, out var h) || h?.ToString() is not { } html) continue;
                string stripped = PlotlyHtml.StripLibrary(html);
                if (stripped.Length != html.Length && string.IsNullOrWhiteSpace(stripped)) { cell.Outputs.RemoveAt(k); continue; } // a library-only output
                data[HtmlFormatter.MimeType] = stripped;
            }
        foreach (var cell in document.Elements)
            foreach (var o in cell.Outputs)
            {
                var data = o switch { DisplayElement d => d.Data, ReturnValueElement r => r.Data, _ => null };
                if (placed || data is null || !data.TryGetValue(HtmlFormatter.MimeType, out var h) || !PlotlyHtml.IsChart(h?.ToString() ?? "")) continue;
                data[HtmlFormatter.MimeType] = h + PlotlyHtml.LibraryScript();
                placed = true;
            }
    }
}
