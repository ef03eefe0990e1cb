using Microsoft.Data.Analysis;
using Rethink.Experiments.Sweeps;

namespace Rethink.Experiments;

/// <summary>Results of runs as a DataFrame (AP values in percent), for notebooks and scripts.</summary>
public static class ResultsTable
{
    public static readonly string[] Metrics = ["bbox/AP", "bbox/AP50", "bbox/AP75", "segm/AP", "segm/AP50", "segm/AP75"];

    public static DataFrame From(IEnumerable<(string Label, RunResult Result)> runs)
    {
        var list = runs.ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("run", list.Select(r => r.Label)),
            new Int64DataFrameColumn("iterations", list.Select(r => r.Result.Outcome.Iterations)),
            new Int64DataFrameColumn("images seen", list.Select(r => r.Result.Outcome.ImagesSeen)),
        };
        foreach (string m in Metrics)
            columns.Add(new DoubleDataFrameColumn(m, list.Select(r => Math.Round(100 * r.Result.Final(m), 1))));
        columns.Add(new DoubleDataFrameColumn("train s", list.Select(r => Math.Round(r.Result.Outcome.TrainSeconds, 1))));
        return new DataFrame(columns);
    }

    public static DataFrame From(StudyOutcome o) =>
        From(o.Runs.Select(r => ($"{r.Run.Family} {r.Run.Config.ScheduleMultiplier:0.##}x", r.Result)));

    public static DataFrame From(SweepOutcome o) => From(o.Runs.Select(r => (r.Run.Label, r.Result)));
}
