using System.Diagnostics;
using System.Reflection;
using Rethink.Modeling;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using Rethink.Tests.Modeling;
using Rethink.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rethink.Tests.Runtime;

/// <summary>
/// A temporary TorchSharp Scalar can be finalized by a GC on another thread while the native op that reads it still
/// runs (see <see cref="Scalars"/>): training died with "toFloat at c10/core/Scalar.h" in Fpn's add after ~10 minutes.
/// These tests keep the library free of such temporaries and check the replacements.
/// </summary>
public class ScalarLifetimeTests
{
    readonly ITestOutputHelper output;

    public ScalarLifetimeTests(ITestOutputHelper output)
    {
        TestSupport.Init();
        this.output = output;
    }

    static bool IsScalarsCache(Type t) => t == typeof(Scalars) || t.DeclaringType == typeof(Scalars);

    [Fact]
    public void RethinkMakesNoTemporaryScalars()
    {
        var findings = ScalarTemporaryScanner.Scan(typeof(Scalars).Assembly, IsScalarsCache);
        Assert.True(findings.Count == 0,
            "temporary Scalars (use Rethink.Runtime.Scalars, an add/sub overload with an explicit alpha, or a using-scoped Scalar):\n"
            + string.Join("\n", findings));
    }

    /// <summary>The scanner sees the patterns that crashed, and accepts their replacements.</summary>
    [Fact]
    public void ScannerFlagsTemporariesAndAcceptsTheirReplacements()
    {
        string[] Flagged(string name) =>
            ScalarTemporaryScanner.Scan(typeof(Samples).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic)!)
                .Select(f => f.What).ToArray();

        Assert.Collection(Flagged(nameof(Samples.TensorPlusTensor)), w => Assert.Contains("op_Addition(Tensor, Tensor) makes a temporary", w));
        Assert.Collection(Flagged(nameof(Samples.AddWithoutAlpha)), w => Assert.Contains("add_(Tensor) makes a temporary", w));
        Assert.Collection(Flagged(nameof(Samples.TimesLiteral)), w => Assert.Contains("op_Multiply(Tensor, Double) makes a temporary", w));
        Assert.Collection(Flagged(nameof(Samples.ClampAndCompare)),
            w => Assert.Contains("temporary Scalar from Scalar.op_Implicit(Int32)", w),
            w => Assert.Contains("temporary Scalar from Scalar.op_Implicit(Double)", w));
        Assert.Collection(Flagged(nameof(Samples.ArangeStop)),
            w => Assert.Contains("temporary Scalar from Scalar.op_Implicit(Int64)", w),
            w => Assert.Contains("arange(Scalar, Nullable`1, Device, Boolean) makes a temporary", w));
        Assert.Collection(Flagged(nameof(Samples.ItemAsDouble)), w => Assert.Contains("ToDouble(Tensor) makes a temporary", w));
        Assert.Empty(Flagged(nameof(Samples.Replacements)));
        Assert.Empty(Flagged(nameof(Samples.ScopedScalar)));
    }

    static class Samples
    {
        internal static Tensor TensorPlusTensor(Tensor a, Tensor b) => a + b;
        internal static Tensor AddWithoutAlpha(Tensor a, Tensor b) => a.add_(b);
        internal static Tensor TimesLiteral(Tensor a) => a * 0.5;
        internal static Tensor ClampAndCompare(Tensor a) => a.clamp_min(0).gt(0.5);
        internal static Tensor ArangeStop(long n) => arange(n);
        internal static double ItemAsDouble(Tensor a) => a.ToDouble();

        internal static Tensor Replacements(Tensor a, Tensor b)
        {
            var t = a.add(b, Scalars.One).mul(Scalars.Of(0.5)).clamp_min(Scalars.Zero).sub(b) * b;
            var r = arange(Scalars.Zero, Scalars.OfInt(a.shape[0]), Scalars.One).gt(Scalars.Of(Scalars.ToDouble(a.sum())));
            // Tensor - Scalar is sub(Scalar), which has no alpha.
            return t.sub(r.to(a.dtype)) - Scalars.Of(1.0);
        }

        internal static Tensor ScopedScalar(Tensor a, double lr)
        {
            using var s = lr.ToScalar();
            return a.mul(s);
        }
    }

    /// <summary>Virtual calls are outside the IL scan: the modules every norm builds must not bring an unsafe forward
    /// (TorchSharp's BatchNorm.forward bumps its step counter with add_(1)).</summary>
    [Fact]
    public void ModelsOfEveryNormHaveNoModuleWhoseForwardMakesTemporaryScalars()
    {
        Assert.NotNull(ScalarTemporaryScanner.UnsafeForward(nn.BatchNorm2d(4)));
        foreach (var norm in Enum.GetValues<NormKind>())
        {
            foreach (string arch in new[] { "maskrcnn-tiny-fpn", "keypointrcnn-tiny-fpn" })
            {
                using var model = new MaskRcnn(ModelZoo.Config(arch, norm, 3));
                var unsafeModules = model.named_modules()
                    .Select(m => (m.name, forward: ScalarTemporaryScanner.UnsafeForward(m.module)))
                    .Where(m => m.forward is not null)
                    .Select(m => $"{m.name}: {m.forward!.DeclaringType!.FullName}.forward")
                    .ToList();
                Assert.True(unsafeModules.Count == 0, $"{arch} with {norm}:\n" + string.Join("\n", unsafeModules));
            }
            using var vgg = new Vgg(0.125, norm);
            Assert.DoesNotContain(vgg.named_modules(), m => ScalarTemporaryScanner.UnsafeForward(m.module) is not null);
        }
    }

    [Fact]
    public void CachedScalarsKeepTheirKindAndIdentity()
    {
        using var scope = NewDisposeScope();
        var ints = tensor(new long[] { 1, 2, 3 });
        Assert.Equal(ScalarType.Int64, ints.mul(Scalars.OfInt(2)).dtype);
        Assert.Equal(ScalarType.Float32, ints.mul(Scalars.Of(2)).dtype);
        Assert.Equal(new long[] { 2, 4, 6 }, ints.mul(Scalars.OfInt(2)).data<long>().ToArray());
        // An integer tensor's add takes only an integral alpha: One is the integral 1.
        Assert.Equal(new long[] { 2, 4, 6 }, ints.add(ints, Scalars.One).data<long>().ToArray());

        Assert.Same(Scalars.Of(0.25), Scalars.Of(0.25));
        Assert.Same(Scalars.OfInt(7), Scalars.OfInt(7));
        Assert.Same(Scalars.One, Scalars.OfInt(1));
        Assert.NotSame(Scalars.Of(1.0), Scalars.OfInt(1));
        Assert.NotSame(Scalars.Of(0.0), Scalars.Of(-0.0));
        Assert.True(float.IsNegative(full(1, Scalars.Of(-0.0)).item<float>()));

        // Scalars are not tracked by DisposeScopes (if a TorchSharp update started tracking them, the cache would
        // hand out freed ones): one first made inside a scope is still alive after it and a full collection.
        Scalar made;
        using (NewDisposeScope()) made = Scalars.Of(98.765);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(98.765f, full(1, made).item<float>());

        // Many threads asking for the same new value all get the one stored instance.
        var seen = new Scalar[64];
        Parallel.For(0, seen.Length, i => seen[i] = Scalars.Of(123.456));
        Assert.All(seen, s => Assert.Same(seen[0], s));
    }

    [Fact]
    public void ToDoubleEqualsTorchSharpsToDouble()
    {
        using var scope = NewDisposeScope();
        foreach (var t in new[]
                 {
                     tensor(0.1f), tensor(0.1), tensor(3L), tensor(true), tensor(new float[] { 1e-7f }).view(1, 1),
                     tensor(2.5f).to(ScalarType.BFloat16), randn(3)[1], tensor(1f / 3, requires_grad: true),
                 })
            Assert.Equal(t.ToDouble(), Scalars.ToDouble(t));
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>nn.BatchNorm2d and its replacement: same names, same numbers, in training and evaluation.</summary>
    [Fact]
    public void ScalarSafeBatchNorm2dEqualsBatchNorm2d()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var theirs = nn.BatchNorm2d(5, 1e-3, 0.2);
        using var ours = new ScalarSafeBatchNorm2d(5, 1e-3, 0.2);
        Assert.Equal(theirs.state_dict().Keys, ours.state_dict().Keys);
        Assert.Equal(theirs.named_parameters().Select(p => p.name), ours.named_parameters().Select(p => p.name));
        using (no_grad())
        {
            ours.weight.copy_(rand(5));
            theirs.weight.copy_(ours.weight);
            ours.bias!.copy_(randn(5));
            theirs.bias!.copy_(ours.bias);
        }
        for (int step = 0; step < 3; step++)
        {
            var x = randn(4, 5, 6, 7) * 3;
            var a = theirs.forward(x);
            var b = ours.forward(x);
            Assert.True(Same(a, b), $"training step {step}");
            a.sum().backward();
            b.sum().backward();
            Assert.True(Same(theirs.weight.grad!, ours.weight.grad!));
        }
        foreach (var (name, t) in theirs.state_dict()) Assert.True(Same(t, ours.state_dict()[name]), name);
        Assert.Equal(3, ours.num_batches_tracked!.item<long>());
        theirs.eval();
        ours.eval();
        var y = randn(2, 5, 3, 3);
        Assert.True(Same(theirs.forward(y), ours.forward(y)), "evaluation");
        Assert.Throws<ArgumentException>(() => ours.forward(randn(2, 5, 3)));
    }

    /// <summary>
    /// Training steps of the tiny model while another thread allocates and collects as fast as it can, so finalizers
    /// run all through the native ops. A temporary Scalar here would be freed mid-op; a crash fails the whole run. The
    /// race is rare per op, so this is a smoke test: the IL scan above is the guard. Also checks the cache stays small.
    /// </summary>
    [Fact]
    public void TrainingStepsSurviveGarbageCollectionOnAnotherThread()
    {
        manual_seed(0);
        using var model = new MaskRcnn(ModelZoo.Config("maskrcnn-tiny-fpn", NormKind.BN, 3));
        var optimizer = new SgdOptimizer(model, new OptimizerConfig { ClipGradNorm = 1.0 });
        var (images, targets) = MaskRcnnTests.Scenes(2, 64, 5);
        model.train();
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var hammer = new Thread(() =>
        {
            var junk = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 200; i++) junk.Add(new byte[1024]);
                junk.Clear();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true };
        hammer.Start();
        var sw = Stopwatch.StartNew();
        int steps = 0;
        int cacheAfterFirst = 0;
        try
        {
            for (; steps < 300 && sw.Elapsed < TimeSpan.FromSeconds(30); steps++)
            {
                using var scope = NewDisposeScope();
                var losses = model.Losses(ImageBatch.FromImages(images), targets);
                var sum = losses.Values.Aggregate((a, b) => a.add(b, Scalars.One));
                optimizer.ZeroGrad();
                sum.backward();
                optimizer.Step(0.01 / (steps + 1));
                Assert.True(double.IsFinite(Scalars.ToDouble(sum)));
                if (steps == 0) cacheAfterFirst = Scalars.Count;
            }
            model.eval();
            using (NewDisposeScope()) Assert.Equal(2, model.Detect(ImageBatch.FromImages(images)).Count);
        }
        finally
        {
            stop.Cancel();
            hammer.Join();
        }
        output.WriteLine($"{steps} steps in {sw.Elapsed.TotalSeconds:F1} s, {Interlocked.Read(ref collections)} forced collections, {Scalars.Count} cached scalars");
        Assert.True(steps >= 3, $"only {steps} steps");
        Assert.True(Interlocked.Read(ref collections) > steps, "the collecting thread ran");
        // Per-step values (the learning rate) are not cached; sample counts add a few entries.
        Assert.True(Scalars.Count < cacheAfterFirst + 200, $"{Scalars.Count} cached scalars after {steps} steps ({cacheAfterFirst} after the first)");
    }
}
