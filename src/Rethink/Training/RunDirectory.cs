using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rethink.Training;

/// <summary>
/// A run on disk: config.json, metrics.csv (one row per iteration), evaluations.csv, checkpoints/ckpt-NNNNNNN.bin,
/// log.txt, and done.json once finished. Any run folder loads back for charts and tables.
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.csv");
    public string EvaluationsFile => System.IO.Path.Combine(Path, "evaluations.csv");
    public string LogFile => System.IO.Path.Combine(Path, "log.txt");
    public string DoneFile => System.IO.Path.Combine(Path, "done.json");
    public string CheckpointDir => System.IO.Path.Combine(Path, "checkpoints");
    public bool IsFinished => File.Exists(DoneFile);

    /// <summary>How the run ended (its done.json), or null while it is not finished.</summary>
    public TrainingOutcome? Outcome() => IsFinished ? JsonSerializer.Deserialize<TrainingOutcome>(File.ReadAllText(DoneFile)) : null;

    public string CheckpointPath(long iteration) => System.IO.Path.Combine(CheckpointDir, $"ckpt-{iteration:D7}.bin");

    /// <summary>The newest complete checkpoint (temporary files of an interrupted write are ignored), or null.</summary>
    public string? LatestCheckpoint()
    {
        if (!Directory.Exists(CheckpointDir)) return null;
        return Directory.GetFiles(CheckpointDir, "ckpt-*.bin").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault();
    }

    public void Log(string line)
    {
        Directory.CreateDirectory(Path);
        File.AppendAllText(LogFile, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {line}\n");
    }

    /// <summary>Keeps the rows of a CSV whose first column (iterations done) is at most <paramref name="iteration"/>: on
    /// resume from that checkpoint, the rows after it are redone.</summary>
    public static void TruncateCsv(string file, long iteration)
    {
        if (!File.Exists(file)) return;
        var lines = File.ReadAllLines(file);
        if (lines.Length == 0) return;
        var kept = new List<string> { lines[0] };
        foreach (var l in lines.Skip(1))
        {
            if (l.Length == 0) continue;
            var first = l.Split(',', 2)[0];
            if (long.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out long it) && it <= iteration) kept.Add(l);
        }
        File.WriteAllLines(file, kept);
    }

    /// <summary>Appends a CSV row, writing the header first when the file is new.</summary>
    public static void AppendCsv(string file, IReadOnlyList<string> header, IEnumerable<string> values)
    {
        bool exists = File.Exists(file) && new FileInfo(file).Length > 0;
        var sb = new StringBuilder();
        if (!exists) sb.AppendLine(string.Join(",", header));
        sb.AppendLine(string.Join(",", values));
        File.AppendAllText(file, sb.ToString());
    }

    public static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public void WriteJson<T>(string file, T value)
    {
        Directory.CreateDirectory(Path);
        string path = System.IO.Path.Combine(Path, file), tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}
