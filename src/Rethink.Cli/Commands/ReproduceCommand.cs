using System.CommandLine;
using Rethink.Experiments;

namespace Rethink.Cli.Commands;

/// <summary>`rethink reproduce`: the paper's headline study (Figure 1, Tables 1 and 2) at a scale.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var scale = new Option<string>("--scale") { Description = "smoke (about a minute, for tests), tiny (the CPU default, at most 20 minutes on 2 cores), small (one GPU).", DefaultValueFactory = _ => "tiny" };
        var outDir = new Option<string?>("--out") { Description = "Study folder (default: runs/reproduce-SCALE). Finished runs in it are reused." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto.", DefaultValueFactory = _ => "cpu" };
        var jobs = new Option<int?>("--jobs") { Description = "Runs trained side by side, each in its own process (default: one per core on the CPU, 1 on a GPU; 0: one after another in this process)." };
        var schedules = new Option<string?>("--schedules") { Description = "The GN schedules to compare instead of the scale's, e.g. 1,2,4,8 (k in the paper's k x rule)." };
        var cmd = new Command("reproduce", "Run the paper's headline study: from scratch against pre-trained (GN), plus the frozen-BN baseline, at several schedules; write results.csv and report.html.");
        var precision = new Option<string?>("--precision")
        {
            Description = "fp32 (default), or bf16/fp16 for the detection runs (mixed precision; the pre-trainings stay fp32). Runs of another precision are not reused.",
        };
        cmd.Options.Add(scale); cmd.Options.Add(outDir); cmd.Options.Add(device); cmd.Options.Add(jobs); cmd.Options.Add(schedules); cmd.Options.Add(precision);
        cmd.SetAction(p =>
        {
            string s = p.GetValue(scale)!;
            string root = p.GetValue(outDir) ?? Path.Combine("runs", $"reproduce-{s}");
            var plan = StudyPlan.ForScale(s, p.GetValue(device)!);
            if (p.GetValue(schedules) is { } list) plan = plan with { Schedules = ParseSchedules(list) };
            plan = plan with { Detection = plan.Detection with { Precision = Rethink.Modeling.Layers.MixedPrecision.ConfigName(p.GetValue(precision)) } };
            int? j = p.GetValue(jobs);
            string dev = p.GetValue(device)!;
            bool gpu = dev.StartsWith("cuda", StringComparison.Ordinal) || (dev == "auto" && Rethink.Runtime.DeviceSelector.CudaAvailable());
            var workers = j == 0 ? null : WorkerCommand.Options(j ?? (gpu ? 1 : null));
            if (workers is not null) Console.Error.WriteLine($"training {workers.Jobs} runs at a time, {workers.ThreadsPerJob} thread(s) each");
            var outcome = TrainingProgress.RunMany(title => ReproduceStudy.Run(plan, root, title, workers: workers));
            Console.WriteLine($"study '{s}' done in {outcome.Elapsed.TotalMinutes:F1} min");
            foreach (var line in StudyReport.Findings(outcome)) Console.WriteLine("  " + line);
            Console.WriteLine($"results: {outcome.ResultsCsv}");
            Console.WriteLine($"report:  {outcome.ReportHtml}");
            return 0;
        });
        return cmd;
    }

    static IReadOnlyList<double> ParseSchedules(string list)
    {
        var values = new List<double>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part.TrimEnd('x'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double k) || k <= 0)
                throw new ArgumentException($"--schedules: '{part}' is not a positive schedule multiplier (use e.g. 1,2,4,8)");
            values.Add(k);
        }
        if (values.Count == 0) throw new ArgumentException("--schedules: give at least one schedule, e.g. 1,2,4");
        return values.Distinct().Order().ToList();
    }
}
