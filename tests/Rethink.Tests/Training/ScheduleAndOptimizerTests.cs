using Rethink.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Training;

public class ScheduleAndOptimizerTests
{
    public ScheduleAndOptimizerTests() => TestSupport.Init();

    [Theory]
    [InlineData(1.0, 90_000, 30_000, 70_000)]
    [InlineData(2.0, 180_000, 120_000, 160_000)]
    [InlineData(6.0, 540_000, 480_000, 520_000)]
    public void PaperRuleDropsTheRateAtTheLastTwoThirdsAndTwoNinthsOfABaseLength(double k, int total, int first, int second)
    {
        // The paper: 1x = 90k; the rate is divided by 10 in the last 60k and the last 20k iterations, whatever the length.
        var s = new LearningRateSchedule(90_000, k, 0.02, 1000);
        Assert.Equal(total, s.TotalIterations);
        Assert.Equal(new[] { first, second }, s.Milestones);
        Assert.Equal(0.02, s.At(first - 1), 12);
        Assert.Equal(0.002, s.At(first), 12);
        Assert.Equal(0.0002, s.At(second), 12);
        Assert.Equal(0.0002, s.At(total - 1), 12);
    }

    [Fact]
    public void WarmupIsLinearAndLinearScalingFollowsTheBatch()
    {
        var s = new LearningRateSchedule(300, 1, 0.02, 40, WarmupFactor: 0.001); // first drop at 100
        Assert.Equal(0.02 * 0.001, s.At(0), 12);
        Assert.Equal(0.02 * (0.001 * 0.5 + 0.5), s.At(20), 12);
        Assert.Equal(0.02, s.At(40), 12);
        Assert.Equal(0.005, LearningRateSchedule.Scaled(0.02, 4), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(0, 1, 0.02, 0).Validate());
    }

    static nn.Module<Tensor, Tensor> Net() => nn.Sequential(("0", nn.Linear(5, 7)), ("1", nn.ReLU()), ("2", nn.Linear(7, 3)));

    [Fact]
    public void SgdEqualsTorchSharpSgdWithMomentumAndWeightDecay()
    {
        manual_seed(0);
        var a = Net();
        var b = Net();
        b.load_state_dict(a.state_dict());
        var ours = new SgdOptimizer(a, new OptimizerConfig { Momentum = 0.9, WeightDecay = 1e-2, NoDecayOnNormAndBias = false });
        var theirs = optim.SGD(b.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-2);
        var x = randn(16, 5);
        var y = randn(16, 3);
        for (int i = 0; i < 6; i++)
        {
            using var scope = NewDisposeScope();
            ours.ZeroGrad();
            nn.functional.mse_loss(a.forward(x), y).backward();
            ours.Step(0.05);
            theirs.zero_grad();
            nn.functional.mse_loss(b.forward(x), y).backward();
            theirs.step();
        }
        foreach (var ((na, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(TestSupport.MaxAbsDiff(pa, pb) < 1e-6, na);
    }

    [Fact]
    public void NoWeightDecayOnNormParametersAndBiases()
    {
        using var model = new Rethink.Modeling.MaskRcnn(Rethink.Modeling.ModelZoo.Config("maskrcnn-tiny-fpn", Rethink.Modeling.Layers.NormKind.GN, 3));
        var opt = new SgdOptimizer(model, new OptimizerConfig());
        int weights = model.named_parameters().Count(p => p.parameter.dim() > 1);
        Assert.Equal(weights, opt.DecayedParameterCount);
        var all = new SgdOptimizer(model, new OptimizerConfig { NoDecayOnNormAndBias = false });
        Assert.Equal(model.parameters().Count(), all.DecayedParameterCount);
    }

    [Fact]
    public void GradientClippingBoundsTheUpdate()
    {
        manual_seed(1);
        var net = nn.Linear(4, 1, hasBias: false);
        var before = net.weight!.detach().clone();
        var opt = new SgdOptimizer(net, new OptimizerConfig { Momentum = 0, WeightDecay = 0, ClipGradNorm = 0.5 });
        (net.forward(ones(1, 4) * 100).sum()).backward();
        double norm = opt.Step(1.0);
        Assert.True(norm > 0.5);
        Assert.Equal(0.5, (net.weight!.detach() - before).norm().ToDouble(), 3);
    }

    [Fact]
    public void CheckpointRoundTripsModelOptimizerAndRandomState()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rethink-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            manual_seed(2);
            var a = Net();
            var opt = new SgdOptimizer(a, new OptimizerConfig());
            nn.functional.mse_loss(a.forward(randn(8, 5)), randn(8, 3)).backward();
            opt.Step(0.1);
            string path = Path.Combine(dir, "ckpt-0000001.bin");
            Checkpoint.Save(path, new CheckpointInfo(1, 8, 0.5, "h"), a, opt);
            var expectedNext = randn(4);
            Assert.False(File.Exists(path + ".tmp"));

            manual_seed(99);
            var b = Net();
            var opt2 = new SgdOptimizer(b, new OptimizerConfig());
            var info = Checkpoint.Load(path, b, opt2);
            Assert.Equal(new CheckpointInfo(1, 8, 0.5, "h"), info);
            foreach (var ((n, pa), (_, pb)) in a.state_dict().Zip(b.state_dict())) Assert.Equal(0.0, TestSupport.MaxAbsDiff(pa, pb));
            Assert.Equal(opt.State.Keys.OrderBy(k => k), opt2.State.Keys.OrderBy(k => k));
            foreach (var (k, v) in opt.State) Assert.Equal(0.0, TestSupport.MaxAbsDiff(v, opt2.State[k]));
            Assert.Equal(0.0, TestSupport.MaxAbsDiff(expectedNext, randn(4)));

            File.WriteAllText(Path.Combine(dir, "bad.bin"), "not a checkpoint");
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Path.Combine(dir, "bad.bin"), b));
            var other = nn.Linear(5, 2);
            var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, other));
            Assert.Contains("this model does not have", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
