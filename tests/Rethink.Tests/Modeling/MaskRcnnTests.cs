using Rethink.Modeling;
using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Modeling;

public class MaskRcnnTests
{
    public MaskRcnnTests() => TestSupport.Init();

    /// <summary>Synthetic scenes: bright rectangles and discs on noise, with exact boxes, labels and masks.</summary>
    internal static (List<Tensor> images, List<DetectionTarget> targets) Scenes(int count, int size, int seed, bool keypoints = false)
    {
        var rnd = new Random(seed);
        var images = new List<Tensor>();
        var targets = new List<DetectionTarget>();
        for (int i = 0; i < count; i++)
        {
            var img = rand(3, size, size, generator: new Generator((ulong)(seed * 100 + i))) * 0.3f;
            int n = 1 + rnd.Next(3);
            var boxes = new List<float>();
            var labels = new List<long>();
            var masks = zeros(n, size, size);
            var kps = zeros(n, 17, 3);
            for (int j = 0; j < n; j++)
            {
                int w = 16 + rnd.Next(size / 3), h = 16 + rnd.Next(size / 3);
                int x = rnd.Next(size - w), y = rnd.Next(size - h);
                long label = 1 + rnd.Next(2);
                var m = zeros(size, size);
                if (label == 1) m[TensorIndex.Slice(y, y + h), TensorIndex.Slice(x, x + w)] = 1;
                else
                {
                    var yy = arange(size).view(-1, 1).to(float32); var xx = arange(size).view(1, -1).to(float32);
                    m = ((((xx - (x + w / 2f)) / (w / 2f)).square() + ((yy - (y + h / 2f)) / (h / 2f)).square()) <= 1).to(float32);
                }
                var nz = m.nonzero();
                float x1 = nz[TensorIndex.Colon, 1].min().item<long>(), y1 = nz[TensorIndex.Colon, 0].min().item<long>();
                float x2 = nz[TensorIndex.Colon, 1].max().item<long>() + 1, y2 = nz[TensorIndex.Colon, 0].max().item<long>() + 1;
                boxes.AddRange([x1, y1, x2, y2]);
                labels.Add(label);
                masks[j] = m;
                var color = label == 1 ? tensor(new float[] { 1, 0.2f, 0.2f }) : tensor(new float[] { 0.2f, 0.3f, 1 });
                img = img * (1 - m) + color.view(3, 1, 1) * m;
                for (int k = 0; k < 17; k++) kps[j, k] = tensor(new float[] { x1 + (x2 - x1) * (k % 4 + 0.5f) / 4, y1 + (y2 - y1) * (k / 4 + 0.5f) / 5, 2 });
            }
            images.Add(img);
            targets.Add(new DetectionTarget(tensor(boxes.ToArray(), [n, 4]), tensor(labels.ToArray()), masks, keypoints ? kps : null));
        }
        return (images, targets);
    }

    [Fact]
    public void TrainingReturnsNamedLossesAndEvaluationReturnsDetectionsInImageCoordinates()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new MaskRcnn(ModelZoo.Config("maskrcnn-tiny-fpn", NormKind.GN, 3));
        var (images, targets) = Scenes(2, 96, 1);
        images[1] = images[1][TensorIndex.Colon, TensorIndex.Slice(0, 80), TensorIndex.Slice(0, 72)];
        targets[1] = targets[1] with { Masks = targets[1].Masks![TensorIndex.Colon, TensorIndex.Slice(0, 80), TensorIndex.Slice(0, 72)] };
        model.train();
        var losses = model.Losses(ImageBatch.FromImages(images), targets);
        Assert.Equal(new[] { "loss_box_reg", "loss_classifier", "loss_mask", "loss_objectness", "loss_rpn_box_reg" }, losses.Keys.OrderBy(k => k));
        Assert.All(losses.Values, l => Assert.True(l.isfinite().item<bool>()));

        // A lower score threshold so an untrained model still returns detections to check shapes on.
        var detections = model.Detect(ImageBatch.FromImages(images));
        Assert.True(model.training, "Detect restores training mode");
        Assert.Equal(2, detections.Count);
        for (int i = 0; i < 2; i++)
        {
            var d = detections[i];
            long n = d.Boxes.shape[0];
            Assert.Equal([n], d.Scores.shape);
            Assert.Equal([n], d.Labels.shape);
            Assert.Equal([n, 1, images[i].shape[1], images[i].shape[2]], d.Masks!.shape);
            Assert.True(n <= 100);
            if (n > 0)
            {
                Assert.True(d.Boxes[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)].max().item<float>() <= images[i].shape[2]);
                Assert.True(d.Boxes[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)].max().item<float>() <= images[i].shape[1]);
                Assert.True(d.Labels.min().item<long>() >= 1);
                Assert.True(d.Scores.ge(0.05).all().item<bool>());
                Assert.True(d.Masks!.ge(0).all().item<bool>() && d.Masks!.le(1).all().item<bool>());
            }
        }
    }

    [Fact]
    public void KeypointModelTrainsAndPredictsSeventeenKeypoints()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new MaskRcnn(ModelZoo.Config("keypointrcnn-tiny-fpn", NormKind.GN, 3));
        var (images, targets) = Scenes(2, 96, 2, keypoints: true);
        targets = targets.Select(t => t with { Masks = null }).ToList();
        model.train();
        var losses = model.Losses(ImageBatch.FromImages(images), targets);
        Assert.Contains("loss_keypoint", losses.Keys);
        Assert.DoesNotContain("loss_mask", losses.Keys);
        losses.Values.Aggregate((a, b) => a + b).backward();
        var d = model.Detect(ImageBatch.FromImages(images));
        Assert.Equal([d[0].Count, 17L, 3], d[0].Keypoints!.shape);
    }

    [Fact]
    public void KeypointModelWithNoDetectionsReturnsEmptyKeypoints()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = ModelZoo.Config("keypointrcnn-tiny-fpn", NormKind.GN, 3);
        // No score can pass: every image ends with zero boxes (reshape(0, 17, -1) used to throw here).
        using var model = new MaskRcnn(config with { RoiHeads = config.RoiHeads with { ScoreThreshold = 1.5 } });
        var (images, _) = Scenes(2, 96, 2, keypoints: true);
        model.eval();
        var d = model.Detect(ImageBatch.FromImages(images));
        Assert.All(d, r => Assert.Equal(0, r.Count));
        Assert.All(d, r => Assert.Equal([0L, 17L, 3], r.Keypoints!.shape));
    }

    [Fact]
    public void BadTargetsGetClearErrors()
    {
        using var scope = NewDisposeScope();
        using var model = new MaskRcnn(ModelZoo.Config("maskrcnn-tiny-fpn", NormKind.GN, 3));
        var (images, targets) = Scenes(1, 64, 3);
        model.train();
        var ex = Assert.Throws<ArgumentException>(() => model.Losses(ImageBatch.FromImages(images), [targets[0] with { Masks = null }]));
        Assert.Contains("no masks", ex.Message);
        model.eval();
        Assert.Throws<InvalidOperationException>(() => model.Losses(ImageBatch.FromImages(images), targets));
        Assert.Throws<ArgumentException>(() => ModelZoo.Config("maskrcnn-r77-fpn"));
    }

    /// <summary>
    /// A tiny model overfits a handful of images: the summed loss falls at least 4x within 150 SGD steps, in fp32 and
    /// with mixed precision (bf16 convolutions and linear layers).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("bf16")]
    public void TinyModelOverfitsAHandfulOfImages(string? precision)
    {
        manual_seed(0);
        using var model = new MaskRcnn(ModelZoo.Config("maskrcnn-tiny-fpn", NormKind.GN, 3)) { ComputePrecision = MixedPrecision.Parse(precision) };
        var (images, targets) = Scenes(4, 96, 4);
        model.train();
        var optimizer = optim.SGD(model.parameters(), 0.02, momentum: 0.9, weight_decay: 1e-4);
        var history = new List<double>();
        for (int step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            var losses = model.Losses(ImageBatch.FromImages(images), targets);
            var total = losses.Values.Aggregate((a, b) => a + b);
            optimizer.zero_grad();
            total.backward();
            optimizer.step();
            history.Add(total.item<float>());
        }
        double first = history.Take(5).Average(), last = history.TakeLast(5).Average();
        Assert.True(last < first / 4, $"loss fell from {first:F3} to {last:F3}, less than 4x");
    }
}
