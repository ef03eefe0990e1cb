using Rethink.Experiments;

namespace Rethink.Tests.Notebooks;

static class NotebookTestSupport
{
    /// <summary>The repository (the folder above the test binaries that holds Research.sln).</summary>
    public static string RepoRoot { get; } = NotebookSession.FindRepoRoot(AppContext.BaseDirectory);

    public static string TempDir(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A notebook file from (kernel, source, tags) cells; markdown cells have kernel "markdown".</summary>
    public static string Write(string path, params (string Kernel, string Source, string[]? Tags)[] cells)
    {
        var arr = new System.Text.Json.Nodes.JsonArray();
        foreach (var (kernel, source, tags) in cells)
        {
            var meta = new System.Text.Json.Nodes.JsonObject();
            if (kernel != "markdown") meta["polyglot_notebook"] = new System.Text.Json.Nodes.JsonObject { ["kernelName"] = kernel };
            if (tags is not null) meta["tags"] = new System.Text.Json.Nodes.JsonArray(tags.Select(t => (System.Text.Json.Nodes.JsonNode?)t).ToArray());
            var cell = new System.Text.Json.Nodes.JsonObject { ["cell_type"] = kernel == "markdown" ? "markdown" : "code", ["metadata"] = meta, ["source"] = source };
            if (kernel != "markdown") { cell["outputs"] = new System.Text.Json.Nodes.JsonArray(); cell["execution_count"] = null; }
            arr.Add(cell);
        }
        var nb = new System.Text.Json.Nodes.JsonObject
        {
            ["cells"] = arr, ["nbformat"] = 4, ["nbformat_minor"] = 5,
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["kernelspec"] = new System.Text.Json.Nodes.JsonObject { ["name"] = ".net-csharp", ["language"] = "C#", ["display_name"] = ".NET (C#)" },
            },
        };
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }
}
