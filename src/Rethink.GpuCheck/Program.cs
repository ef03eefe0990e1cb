using System.Diagnostics;
using System.Text.Json;
using Rethink.Modeling;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using Rethink.Training;
using TorchSharp;
using static TorchSharp.torch;

// rethink-gpu check [--size 320] [--steps 4]      : the same R50-FPN GN Mask R-CNN trained on CPU and CUDA from one seed; losses compared.
// rethink-gpu bench [--size 800] [--batch 4] [--steps 10] : training images/s on CUDA (JSON), to set beside torchvision's.
string mode = args.Length > 0 ? args[0] : "check";
int Arg(string name, int fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback; }
string norm = args.Contains("--bn") ? "bn" : "gn";
try
{
    TorchRuntime.EnsureLoaded();
}
catch (NativeLoadException e)
{
    Console.WriteLine("native load failed: " + e.Message);
    return 3;
}
Console.WriteLine($"libtorch {torch.__version__}; CUDA available: {DeviceSelector.CudaAvailable()} ({DeviceSelector.WhyNoCuda()})");
if (!DeviceSelector.CudaAvailable()) return 4;
// Exact fp32 on the GPU for the comparison (TF32 would change the numbers by design).
torch.backends.cuda.matmul.allow_tf32 = false;
torch.backends.cudnn.allow_tf32 = false;

MaskRcnnConfig Config() => ModelZoo.Config("maskrcnn-r50-fpn", NormKinds.Parse(norm), 3);

(List<Tensor>, List<DetectionTarget>) Batch(int batch, int size)
{
    var g = new Generator(1234);
    var images = new List<Tensor>();
    var targets = new List<DetectionTarget>();
    for (int i = 0; i < batch; i++)
    {
        images.Add(rand(3, size, size, generator: g));
        var boxes = new float[12];
        var masks = zeros(3, size, size);
        for (int j = 0; j < 3; j++)
        {
            float x1 = size * (0.1f + 0.25f * j), y1 = size * (0.15f + 0.2f * j), x2 = Math.Min(x1 + size * 0.3f, size), y2 = Math.Min(y1 + size * 0.35f, size);
            boxes[4 * j] = x1; boxes[4 * j + 1] = y1; boxes[4 * j + 2] = x2; boxes[4 * j + 3] = y2;
            masks[j, TensorIndex.Slice((long)y1, (long)y2), TensorIndex.Slice((long)x1, (long)x2)] = 1;
        }
        targets.Add(new DetectionTarget(tensor(boxes, [3, 4]), tensor(new long[] { 1, 2, 1 }), masks));
    }
    return (images, targets);
}

List<Dictionary<string, double>> Train(Device device, Dictionary<string, Tensor> init, int steps, int batch, int size, List<double>? times = null)
{
    manual_seed(0);
    using var model = new MaskRcnn(Config());
    model.load_state_dict(init);
    model.to(device);
    model.train();
    var opt = new SgdOptimizer(model, new OptimizerConfig());
    var (images, targets) = Batch(batch, size);
    var history = new List<Dictionary<string, double>>();
    for (int s = 0; s < steps; s++)
    {
        using var scope = NewDisposeScope();
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
        var sw = Stopwatch.StartNew();
        using var batchImages = ImageBatch.FromImages(images.Select(t => t.to(device)).ToList());
        var losses = model.Losses(batchImages, targets.Select(t => t.To(device)).ToList());
        var total = losses.Values.Aggregate((a, b) => a + b);
        opt.ZeroGrad();
        total.backward();
        opt.Step(0.01);
        history.Add(losses.ToDictionary(kv => kv.Key, kv => kv.Value.ToDouble()));
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
        times?.Add(sw.Elapsed.TotalSeconds);
    }
    return history;
}

manual_seed(0);
using var reference = new MaskRcnn(Config());
var init = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
if (mode == "check")
{
    int steps = Arg("--steps", 4), size = Arg("--size", 320);
    var cpu = Train(CPU, init, steps, 2, size);
    var gpu = Train(CUDA, init, steps, 2, size);
    double worst = 0;
    for (int s = 0; s < steps; s++)
    {
        foreach (var (k, v) in cpu[s])
        {
            double rel = Math.Abs(v - gpu[s][k]) / Math.Max(1e-6, Math.Abs(v));
            if (s == 0) worst = Math.Max(worst, rel);
            Console.WriteLine($"step {s + 1} {k,-18} cpu {v,12:G6} cuda {gpu[s][k],12:G6} rel.diff {rel:E2}");
        }
    }
    const double tolerance = 1e-3;
    Console.WriteLine(JsonSerializer.Serialize(new { check = "first-step losses", worst_relative_difference = worst, tolerance, pass = worst <= tolerance }));
    return worst <= tolerance ? 0 : 1;
}
else
{
    int steps = Arg("--steps", 10), size = Arg("--size", 800), batch = Arg("--batch", 4);
    var times = new List<double>();
    Train(CUDA, init, steps + 2, batch, size, times);
    var timed = times.Skip(2).OrderBy(t => t).ToList();
    double median = timed[timed.Count / 2];
    Console.WriteLine(JsonSerializer.Serialize(new { impl = "rethink", norm, size, batch, median_s = median, images_per_s = batch / median, steps = timed }));
    return 0;
}
