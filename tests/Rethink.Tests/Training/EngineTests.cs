using System.Diagnostics;
using Rethink.Data;
using Rethink.DataPrep.Shapes;
using Rethink.Modeling;
using Rethink.Modeling.Layers;
using Rethink.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Training;

public class EngineTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "rethink-engine-" + Guid.NewGuid().ToString("N"));

    public EngineTests()
    {
        TestSupport.Init();
        Directory.CreateDirectory(root);
    }

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static string[] PretrainArgs(string dir) =>
    [
        "pretrain", "--out", dir, "--backbone", "resnet-tiny", "--norm", "gn", "--iterations", "300", "--batch", "8",
        "--size", "32", "--images", "400", "--val-images", "0", "--checkpoint-every", "25", "--lr", "0.05", "--warmup", "10",
        "--threads", "1", "--seed", "3",
    ];

    static Process StartCli(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rethink.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static List<string> MetricsWithoutSeconds(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Select(l => l[..l.LastIndexOf(',')]).ToList();

    /// <summary>A run killed with SIGKILL resumes from its last checkpoint and then writes exactly the metrics of a run
    /// that was never stopped (CPU, fixed seed, one thread).</summary>
    [Fact]
    public void KilledRunResumesAndMatchesAnUninterruptedRun()
    {
        string straight = Path.Combine(root, "straight"), killed = Path.Combine(root, "killed");
        using (var p = StartCli(PretrainArgs(straight))) { Assert.True(p.WaitForExit(300_000)); Assert.Equal(0, p.ExitCode); }

        using (var p = StartCli(PretrainArgs(killed)))
        {
            string marker = Path.Combine(killed, "checkpoints", "ckpt-0000100.bin");
            var sw = Stopwatch.StartNew();
            while (!File.Exists(marker) && !p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(10);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill();
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "done.json")));
        long rowsAtKill = File.ReadAllLines(Path.Combine(killed, "metrics.csv")).Length - 1;
        Assert.True(rowsAtKill >= 100 && rowsAtKill < 300, $"killed after {rowsAtKill} iterations");

        using (var p = StartCli(PretrainArgs(killed))) { Assert.True(p.WaitForExit(300_000)); Assert.Equal(0, p.ExitCode); }
        Assert.Contains("resumed from ckpt-", File.ReadAllText(Path.Combine(killed, "log.txt")));
        var a = MetricsWithoutSeconds(straight);
        var b = MetricsWithoutSeconds(killed);
        Assert.Equal(301, a.Count);
        Assert.Equal(a, b);
    }

    sealed class ExplodingTask(int explodeAt) : ITrainingTask
    {
        readonly nn.Module<Tensor, Tensor> model = nn.Linear(3, 1);
        public nn.Module Model => model;
        public int BatchSize => 2;

        public IEnumerable<IDisposable> Batches(long startIteration, CancellationToken cancel)
        {
            for (long i = startIteration; ; i++) yield return new ClassificationBatch(full(2, 3, (float)i), zeros(2, dtype: int64));
        }

        public Dictionary<string, Tensor> Losses(IDisposable batch)
        {
            var b = (ClassificationBatch)batch;
            var loss = model.forward(b.Images).square().mean();
            if (b.Images[0, 0].ToSingle() + 1 >= explodeAt) loss = loss * float.NaN;
            return new() { ["loss"] = loss };
        }

        public IReadOnlyDictionary<string, double>? Evaluate(string runDirectory, long iteration) => null;
        public void Dispose() => model.Dispose();
    }

    [Fact]
    public void NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var run = new RunDirectory(Path.Combine(root, "nan"));
        var engine = new EngineConfig { Schedule = new LearningRateSchedule(20, 1, 1e-3, 0), CheckpointPeriod = 5 };
        using var task = new ExplodingTask(7);
        var ex = Assert.Throws<TrainingDivergedException>(() => new Trainer(task, engine, run, "h").Run());
        Assert.Contains("iteration 7", ex.Message);
        Assert.Contains("ckpt-0000005.bin", ex.Message);
        Assert.Equal("ckpt-0000005.bin", Path.GetFileName(run.LatestCheckpoint()));
        Assert.False(run.IsFinished);
    }

    [Fact]
    public void FinishedRunsAreReusedAndOtherConfigsAreRefused()
    {
        var run = new RunDirectory(Path.Combine(root, "reuse"));
        var engine = new EngineConfig { Schedule = new LearningRateSchedule(4, 1, 1e-3, 0), CheckpointPeriod = 2 };
        using var task = new ExplodingTask(1000);
        Assert.False(new Trainer(task, engine, run, "h").Run().AlreadyFinished);
        Assert.True(new Trainer(task, engine, run, "h").Run().AlreadyFinished);
        File.Delete(run.DoneFile);
        var ex = Assert.Throws<InvalidOperationException>(() => new Trainer(task, engine, run, "other").Run());
        Assert.Contains("different configuration", ex.Message);
    }

    static double RssMb() =>
        double.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;

    /// <summary>Memory stays flat over a long run: every step's tensors die with its DisposeScope, every batch is disposed.</summary>
    [Fact]
    public void LongTrainingDoesNotGrowMemory()
    {
        torch.set_num_threads(1);
        manual_seed(0);
        using var model = new ImageClassifier(Rethink.Experiments.PretrainConfig.BuildBackbone("resnet-tiny", NormKind.GN), 128);
        var source = new ShapeClassification(200, 5, 32);
        using var task = new ClassificationTask(model, source, null, 8, 0, CPU);
        var run = new RunDirectory(Path.Combine(root, "memory"));
        double? afterWarmup = null;
        long liveAtWarmup = 0;
        var events = new TrainingEvents();
        events.Iteration += m =>
        {
            if (m.Iteration == 100)
            {
                GC.Collect(); GC.WaitForPendingFinalizers();
                afterWarmup = RssMb();
                liveAtWarmup = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
        };
        var engine = new EngineConfig { Schedule = new LearningRateSchedule(600, 1, 0.02, 10), CheckpointPeriod = 10_000 };
        new Trainer(task, engine, run, "m", events).Run();
        GC.Collect(); GC.WaitForPendingFinalizers();
        double growth = RssMb() - afterWarmup!.Value;
        Assert.True(growth < 40, $"RSS grew by {growth:F1} MB over 500 iterations");
        Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount - liveAtWarmup < 50,
            $"live tensors on the training thread went from {liveAtWarmup} to {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
    }
}
