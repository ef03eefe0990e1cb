using Rethink.Experiments;
using Rethink.Experiments.Scheduling;

namespace Rethink.Tests.Experiments;

/// <summary>The main job end to end at smoke scale: pre-training, detection runs, results.csv and an offline report.</summary>
public class ReproduceSmokeTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "rethink-study-" + Guid.NewGuid().ToString("N"));

    public ReproduceSmokeTests() => TestSupport.Init();

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public void SmokeStudyWritesResultsAndReportAndReusesFinishedRuns()
    {
        var plan = StudyPlan.ForScale("smoke");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var outcome = ReproduceStudy.Run(plan, root);
        var first = sw.Elapsed;

        var lines = File.ReadAllLines(outcome.ResultsCsv);
        Assert.Equal(string.Join(",", ReproduceStudy.ResultColumns), lines[0]);
        Assert.Equal(plan.Runs(root).Count + 1, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("scratch,gn,2x,30,60,"));
        Assert.Contains(lines, l => l.StartsWith("pretrained,frozenbn,1x,15,30,"));
        foreach (var (run, result) in outcome.Runs)
        {
            Assert.True(double.IsFinite(result.Final("bbox/AP")) && result.Final("bbox/AP") >= 0, run.Config.ShortName);
            Assert.True(double.IsFinite(result.Final("segm/AP")) && result.Final("segm/AP") >= 0, run.Config.ShortName);
            Assert.True(File.Exists(Path.Combine(result.Directory, "detections.json")));
        }
        // The longest runs carry the curve of Figure 1.
        Assert.All(outcome.Runs.Where(r => r.Run.Config.ScheduleMultiplier == 2), r => Assert.Equal(2, r.Result.Curve.Count));

        string html = File.ReadAllText(outcome.ReportHtml);
        Assert.Contains("Plotly.newPlot(\"figure1\"", html);
        Assert.Contains("Table 1", html);
        Assert.Contains("Table 2", html);
        // Works offline: plotly.js is inline, no script is fetched (plotly.js itself mentions cdn.plot.ly as a default
        // topojson URL, so that string alone says nothing).
        Assert.DoesNotMatch("<script[^>]+src=", html);
        Assert.True(html.Length > 3_000_000, "plotly.js is embedded");
        foreach (var line in StudyReport.Findings(outcome)) Assert.Contains(System.Net.WebUtility.HtmlEncode(line), html);

        sw.Restart();
        var again = ReproduceStudy.Run(plan, root);
        Assert.True(sw.Elapsed < first / 3, $"a second run reuses finished runs ({sw.Elapsed.TotalSeconds:F1} s against {first.TotalSeconds:F1} s)");
        Assert.Equal(lines, File.ReadAllLines(again.ResultsCsv));
    }

    static WorkerOptions CliWorkers(int jobs) =>
        new("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rethink.Cli.dll"), "worker"], jobs, 1);

    /// <summary>results.csv without the training seconds (they depend on the machine's load); run folders included.</summary>
    static string Numbers(string csv) =>
        string.Join("\n", File.ReadAllLines(csv).Select(l => { var f = l.Split(','); f[11] = ""; return string.Join(",", f); }).Order(StringComparer.Ordinal));

    [Fact]
    public void RunFoldersAreNamedAlikeFromARelativeAndAnAbsoluteStudyRoot()
    {
        // `rethink reproduce` names its root relatively, a notebook absolutely: both must find the same runs.
        var plan = StudyPlan.ForScale("tiny");
        var relative = plan.Runs(Path.Combine("runs", "reproduce-tiny")).Select(r => Path.GetFileName(r.Directory(Path.Combine("runs", "reproduce-tiny"))));
        string absoluteRoot = Path.GetFullPath(Path.Combine("runs", "reproduce-tiny"));
        var absolute = plan.Runs(absoluteRoot).Select(r => Path.GetFileName(r.Directory(absoluteRoot)));
        Assert.Equal(relative, absolute);
        // A pre-training folder of the user's own naming still counts by its path.
        var c = plan.Detection;
        Assert.NotEqual((c with { Init = "pretrained:runs/a/pre" }).Hash(), (c with { Init = "pretrained:runs/b/pre" }).Hash());
        Assert.NotEqual((c with { Init = "pretrained:x/pretrain-gn-0000AAAA" }).Hash(), (c with { Init = "pretrained:x/pretrain-gn-0000AAAB" }).Hash());
    }

    [Fact]
    public void WorkerProcessesGiveTheSameNumbersAsOneProcess()
    {
        var plan = StudyPlan.ForScale("smoke");
        // One thread here as in the workers: libtorch's sums depend on the thread count, not on the process.
        var oneThread = plan with
        {
            PretrainGn = plan.PretrainGn with { Threads = 1 }, PretrainBn = plan.PretrainBn with { Threads = 1 }, Detection = plan.Detection with { Threads = 1 },
        };
        var here = ReproduceStudy.Run(oneThread, Path.Combine(root, "here"));
        var iterations = new System.Collections.Concurrent.ConcurrentBag<string>();
        var parallel = ReproduceStudy.Run(plan, Path.Combine(root, "workers"), title =>
        {
            var events = new Rethink.Training.TrainingEvents();
            events.Iteration += m => iterations.Add(title);
            return events;
        }, workers: CliWorkers(2));
        Assert.Equal(Numbers(here.ResultsCsv), Numbers(parallel.ResultsCsv));
        // Every job's progress reached this process through the worker's event stream.
        Assert.Equal(ReproduceStudy.Jobs(plan, root).Select(j => j.Title).ToHashSet(), iterations.ToHashSet());
    }

    [Fact]
    public void AFailingWorkerNamesItsJobAndFolderAndWhatItSaid()
    {
        var job = new DetectionJob(StudyPlan.ForScale("smoke").Detection with { Dataset = "coco:/nonexistent/folder", ValidationDataset = "coco:/nonexistent/val" },
            "broken run", Path.Combine(root, "broken"), []);
        var e = Assert.Throws<InvalidOperationException>(() => JobRunner.Run([job], CliWorkers(1)));
        Assert.Contains("broken run", e.Message);
        Assert.Contains(Path.Combine(root, "broken"), e.Message);
        Assert.Contains("/nonexistent/folder", e.Message);
    }

    [Fact]
    public void JobsWaitForTheirPretrainingAndStartLongestFirst()
    {
        var plan = StudyPlan.ForScale("smoke");
        var jobs = ReproduceStudy.Jobs(plan, root);
        Assert.Equal(["pretrain gn", "pretrain bn"], jobs.Take(2).Select(j => j.Title));
        Assert.All(jobs.OfType<DetectionJob>().Where(j => j.Config.Init.StartsWith("pretrained:")),
            j => Assert.Contains(j.Config.Init["pretrained:".Length..], j.WaitsFor));
        Assert.All(jobs.OfType<DetectionJob>().Where(j => j.Config.Init == "scratch" && j.From is null), j => Assert.Empty(j.WaitsFor));
        // Shorter schedules fork from their family's longest run at their first learning-rate drop, and wait for it.
        var forks = jobs.OfType<DetectionJob>().Where(j => j.From is not null).ToList();
        Assert.Equal(2, forks.Count); // GN scratch 1x and pre-trained 1x (FrozenBN has one schedule at smoke scale)
        Assert.All(forks, f => Assert.Contains(f.From!.TrunkDirectory, f.WaitsFor));
        Assert.All(forks, f => Assert.Equal(5, f.From!.Iteration));
        Assert.All(jobs.OfType<DetectionJob>().Where(j => j.Config.ScheduleMultiplier == 2), t => Assert.Equal([5L], t.Config.KeepCheckpointsAt!));
        // Longest chains first, so that a long run and its fork do not end up alone at the end: at the tiny scale the
        // frozen-BN 2x run (600 iterations, then its 1x fork) starts before the GN forks (200 iterations each).
        var tiny = ReproduceStudy.Jobs(StudyPlan.ForScale("tiny"), root).OfType<DetectionJob>().Select(j => (j.Title, j.Iterations)).ToList();
        Assert.Equal([("GN, random init 4x", 1200L), ("GN, pre-trained 4x", 1200L), ("FrozenBN, pre-trained 2x", 600L)], tiny.Take(3));
        Assert.All(tiny.Skip(3), t => Assert.Equal(200L, t.Iterations));
    }

    sealed record FakeJob(string Title, string Directory, IReadOnlyList<string> WaitsFor, List<string> Log, bool Diverges = false) : StudyJob(Title, Directory, WaitsFor)
    {
        public override string Kind => "fake";
        public override long Iterations => 1;
        public override string ConfigJson() => "{}";
        public override Rethink.Training.TrainingOutcome RunHere(Rethink.Training.TrainingEvents? events, CancellationToken cancel)
        {
            Log.Add(Title);
            if (Diverges) throw new Rethink.Training.TrainingDivergedException($"{Title}: loss is NaN at iteration 7");
            return new(1, 1, 0, false, false, null);
        }
    }

    [Fact]
    public void ARunWhosePretrainingDivergedIsSkippedAndTheOthersGoOn()
    {
        var log = new List<string>();
        // Listed before what it waits for: it still runs after it.
        var jobs = new StudyJob[]
        {
            new FakeJob("detect", "d1", ["p1"], log), new FakeJob("pretrain", "p1", [], log),
            new FakeJob("detect-bad", "d2", ["p2"], log), new FakeJob("pretrain-bad", "p2", [], log, Diverges: true),
            new FakeJob("scratch", "d3", [], log),
        };
        var status = JobRunner.Run(jobs, workers: null);
        Assert.Equal(["pretrain", "detect", "pretrain-bad", "scratch"], log);
        Assert.True(status["d1"].Done && status["d3"].Done);
        Assert.Equal("diverged", status["p2"].State);
        Assert.Contains("NaN at iteration 7", status["p2"].Message);
        Assert.Equal("skipped", status["d2"].State);
        Assert.Contains("p2", status["d2"].Message);
    }

    [Fact]
    public void AWorkerThatCrashesIsStartedAgainAndItsRunResumes()
    {
        string marker = Path.Combine(root, "crashed-once");
        Directory.CreateDirectory(root);
        // The first start dies of SIGKILL before doing anything; the second runs the real worker.
        string script = $"if [ ! -e '{marker}' ]; then touch '{marker}'; kill -9 $$; fi; exec dotnet '{Path.Combine(AppContext.BaseDirectory, "Rethink.Cli.dll")}' worker \"$@\"";
        var workers = new WorkerOptions("bash", ["-c", script, "worker"], 1, 1);
        var plan = StudyPlan.ForScale("smoke");
        string dir = Path.Combine(root, "crashy");
        var job = new DetectionJob(plan.Detection with { Init = "scratch" }, "crashy run", dir, []);
        var messages = new List<string>();
        var status = JobRunner.Run([job], workers, _ =>
        {
            var events = new Rethink.Training.TrainingEvents();
            events.Message += messages.Add;
            return events;
        });
        Assert.True(status[dir].Done);
        Assert.True(File.Exists(Path.Combine(dir, "done.json")));
        Assert.Contains(messages, m => m.Contains("worker crashed (exit code 137)"));
        Assert.Contains("worker crashed (exit code 137)", File.ReadAllText(Path.Combine(dir, "log.txt")));
    }

    [Fact]
    public void ShorterSchedulesForkedFromTheLongestRunGiveTheSameNumbersAsTrainedAlone()
    {
        // Ten curve points: the 2x trunk evaluates at iteration 3, before the fork point 5, as the tiny study's do.
        var plan = StudyPlan.ForScale("smoke") with { CurvePoints = 10 };
        var forked = ReproduceStudy.Run(plan, Path.Combine(root, "forked"));
        var alone = ReproduceStudy.Run(plan with { ForkShorterSchedules = false }, Path.Combine(root, "alone"));
        Assert.Equal(Numbers(alone.ResultsCsv), Numbers(forked.ResultsCsv));
        var shorter = forked.Runs.Where(r => r.Run.Config.ScheduleMultiplier == 1 && r.Run.Norm == "gn").ToList();
        Assert.NotEmpty(shorter);
        foreach (var (run, result) in shorter)
        {
            Assert.True(File.Exists(Path.Combine(result.Directory, Fork.FileName)), $"{run.Config.ShortName} was forked");
            Assert.Contains("forked at iteration 5", File.ReadAllText(Path.Combine(result.Directory, "log.txt")));
            // Its metrics.csv is whole: the trunk's rows up to the fork, then its own, same as trained alone.
            string twin = Path.Combine(alone.Runs.Single(r => r.Run.Config.ShortName == run.Config.ShortName).Result.Directory, "metrics.csv");
            static IEnumerable<string> Losses(string csv) => File.ReadAllLines(csv).Select(l => string.Join(",", l.Split(',')[..^1]));
            Assert.Equal(Losses(twin), Losses(Path.Combine(result.Directory, "metrics.csv")));
        }
    }
}
