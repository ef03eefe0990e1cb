using Rethink.Experiments;
using Rethink.Experiments.Sweeps;

namespace Rethink.Tests.Notebooks;

/// <summary>The studies the notebooks run: what each sweep trains, and that shared configs reuse the same run folder.</summary>
public class SweepTests
{
    [Fact]
    public void BatchSweepKeepsImagesSeenAndScalesTheRateLinearly()
    {
        var c = StudyPlan.ForScale("tiny").Detection;
        var b1 = NormalizationSweep.AtBatch(c, 1);
        Assert.Equal(c.BaseIterations * c.BatchSize, b1.BaseIterations * b1.BatchSize);
        Assert.Equal(c.LearningRate / 4, b1.LearningRate, 12);
        Assert.Equal(c.WarmupIterations * 4, b1.WarmupIterations);
        Assert.Equal(c, NormalizationSweep.AtBatch(c, c.BatchSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalizationSweep.AtBatch(c, 0));
    }

    [Fact]
    public void NormalizationSweepCoversBnAndGnAtEachBatchAndTheOtherNorms()
    {
        var plan = StudyPlan.ForScale("tiny");
        var runs = NormalizationSweep.Runs(plan);
        Assert.Equal(2 * 4 + 3, runs.Count);
        Assert.Equal(runs.Count, runs.Select(r => r.Config.Hash()).Distinct().Count());
        Assert.All(runs, r => Assert.Equal("scratch", r.Config.Init));
        Assert.Equal(["gn", "bn", "syncbn", "frozenbn", "none"], runs.Select(r => r.Factor("norm")).Distinct());
    }

    [Fact]
    public void LessDataSizesAreThePapersSharesOfTheTrainingSet()
    {
        Assert.Equal([1184, 338, 118, 34], LessDataSweep.Sizes(StudyPlan.ForScale("tiny")));
        Assert.Equal([32, 8], LessDataSweep.Sizes(StudyPlan.ForScale("smoke")));
        var runs = LessDataSweep.Runs(StudyPlan.ForScale("smoke"), "pretrained:X");
        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.True(r.Config.EvaluationPeriod > 0 && r.Config.EvaluationPeriod < r.Config.TotalIterations));
    }

    [Fact]
    public void DensitySweepSharesItsCocoLikeRunsWithTheHeadlineStudy()
    {
        var plan = StudyPlan.ForScale("smoke");
        string root = "/tmp/x";
        string init = "pretrained:" + plan.PretrainDirectory(root, plan.PretrainGn);
        var headline = plan.Runs(root).Where(r => r.Config.ScheduleMultiplier == 1 && r.Norm == "gn").Select(r => r.Directory(root)).ToHashSet();
        var density = DensitySweep.Runs(plan, init);
        Assert.Equal(2, density.Count(r => headline.Contains(r.Directory(root))));
        Assert.Equal(2, density.Count(r => r.Config.MeanInstances == DensitySweep.VocLike));
        var c = plan.Detection;
        Assert.True(DensitySweep.InstancesPerImage(c, DensitySweep.VocLike, 50) < DensitySweep.InstancesPerImage(c, DensitySweep.CocoLike, 50));
    }

    [Fact]
    public void NoNormRunsAreVggWithoutNormalization()
    {
        var plan = StudyPlan.ForScale("tiny");
        var runs = NoNormSweep.Runs(plan, "pretrained:X");
        Assert.All(runs, r => Assert.Equal(("vgg16", "none", 0.25), (r.Config.Backbone, r.Config.Norm, r.Config.Width)));
        var model = DetectionExperiment.ModelConfig(runs[0].Config, 9);
        Assert.Equal("vgg16", model.Backbone);
        Assert.False(model.Masks);
        Assert.Equal(("vgg16-tiny", "none"), (NoNormSweep.Pretraining(plan).Backbone, NoNormSweep.Pretraining(plan).Norm));
    }

    [Fact]
    public void NewOptionalFieldsLeaveExistingRunHashesAlone()
    {
        // The hash of the default config as it was before Backbone, Width and GnGroups existed (unset fields are left out).
        Assert.Equal(new DetectionConfig().Hash(), new DetectionConfig { Backbone = null, Width = null, GnGroups = null }.Hash());
        Assert.NotEqual(new DetectionConfig().Hash(), new DetectionConfig { GnGroups = 16 }.Hash());
        var c = new DetectionConfig().With(norm: "bn", learningRate: 0.01, gnGroups: 8);
        Assert.Equal(("bn", 0.01, (int?)8, "scratch"), (c.Norm, c.LearningRate, c.GnGroups, c.Init));
        Assert.Equal(8, DetectionExperiment.ModelConfig(c, 9).GnGroups);
    }

    [Fact]
    public void TheScaleVariableOverridesTheNotebooksScale()
    {
        string? old = Environment.GetEnvironmentVariable(NotebookSession.ScaleVariable);
        try
        {
            Environment.SetEnvironmentVariable(NotebookSession.ScaleVariable, "smoke");
            var s = NotebookSession.Start("tiny", "cpu");
            Assert.Equal("smoke", s.Scale);
            Assert.EndsWith("reproduce-smoke", s.Root);
        }
        finally { Environment.SetEnvironmentVariable(NotebookSession.ScaleVariable, old); }
    }

    [Fact]
    public void ADivergingRunIsReportedAndTheSweepGoesOn()
    {
        TestSupport.Init();
        string root = NotebookTestSupport.TempDir("rethink-sweep-div");
        try
        {
            var c = StudyPlan.ForScale("smoke").Detection with { BaseIterations = 4, WarmupIterations = 0, Norm = "none", ValidationImages = 4 };
            var runs = new[]
            {
                new SweepRun(Sweep.Factors(("lr", "huge")), c with { LearningRate = 1e12 }),
                new SweepRun(Sweep.Factors(("lr", "small")), c with { LearningRate = 0.001 }),
            };
            var o = Sweep.Run("divergence", runs, root);
            Assert.Equal(["lr huge"], o.Diverged.Select(d => d.Run.Label));
            Assert.Equal(["lr small"], o.Runs.Select(r => r.Run.Label));
            Assert.Contains("lr huge: diverged", Sweep.DivergedLines(o).Single());
        }
        finally { NotebookTestSupport.TryDelete(root); }
    }
}
