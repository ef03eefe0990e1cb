using System.Globalization;
using System.Text.Json;
using Rethink.Training;

namespace Rethink.Experiments;

/// <summary>One evaluation point of a run: iterations done, images seen, and the metrics (e.g. "bbox/AP").</summary>
public sealed record CurvePoint(long Iteration, long ImagesSeen, IReadOnlyDictionary<string, double> Values);

/// <summary>A finished run read back from its folder: config, final metrics, the evaluation curve, training time.</summary>
public sealed record RunResult(string Directory, DetectionConfig Config, TrainingOutcome Outcome, IReadOnlyList<CurvePoint> Curve)
{
    public double Final(string metric) => Outcome.FinalEvaluation is { } e && e.TryGetValue(metric, out var v) ? v : double.NaN;

    public static RunResult Load(string directory)
    {
        var run = new RunDirectory(directory);
        if (!run.IsFinished) throw new InvalidOperationException($"{directory} is not a finished run (no done.json)");
        var config = JsonSerializer.Deserialize<DetectionConfig>(File.ReadAllText(run.ConfigFile)) ?? throw new InvalidDataException(run.ConfigFile);
        var outcome = run.Outcome() ?? throw new InvalidDataException(run.DoneFile);
        return new RunResult(run.Path, config, outcome, ReadCurve(run.EvaluationsFile));
    }

    public static IReadOnlyList<CurvePoint> ReadCurve(string evaluationsCsv)
    {
        if (!File.Exists(evaluationsCsv)) return [];
        var lines = File.ReadAllLines(evaluationsCsv).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2) return [];
        var header = lines[0].Split(',');
        var points = new List<CurvePoint>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            var values = new Dictionary<string, double>();
            for (int i = 2; i < header.Length && i < f.Length; i++) values[header[i]] = double.Parse(f[i], CultureInfo.InvariantCulture);
            points.Add(new CurvePoint(long.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture), values));
        }
        return points;
    }
}
