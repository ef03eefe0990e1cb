using Rethink.Data;
using Rethink.Data.Coco;
using Rethink.Data.Masks;
using Rethink.DataPrep.Shapes;
using Rethink.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Data;

public class DataPipelineTests : IDisposable
{
    const string Labelme = "/usr/share/doc/labelme-examples/examples/instance_segmentation/data_dataset_coco";
    readonly string root = Path.Combine(Path.GetTempPath(), "rethink-data-" + Guid.NewGuid().ToString("N"));

    public DataPipelineTests()
    {
        TestSupport.Init();
        Directory.CreateDirectory(root);
    }

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    /// <summary>A real COCO-format file (Debian's labelme-examples: 3 VOC photos, polygons) loads into training samples.</summary>
    [Fact]
    public void RealCocoFileFromLabelmeLoadsWithMasksInsideBoxes()
    {
        Assert.True(File.Exists(Path.Combine(Labelme, "annotations.json")), "tests/prerequisites.sh installs labelme-examples");
        var source = CocoDetectionSource.Open(Path.Combine(Labelme, "annotations.json"), Labelme);
        Assert.Equal(3, source.Count);
        Assert.Equal(12, source.Dataset.Annotations.Count);
        for (int i = 0; i < source.Count; i++)
        {
            var r = source[i];
            var image = r.LoadImage();
            Assert.Equal((r.Width, r.Height), (image.Width, image.Height));
            foreach (var a in r.LoadAnnotations())
            {
                Assert.NotNull(a.Mask);
                var rle = Rle.Encode(a.Mask!, r.Height, r.Width);
                var box = rle.ToBbox();
                Assert.True(rle.Area > 0);
                // The mask lies inside its annotated box (polygon rasterization may round by a pixel).
                Assert.True(box.X >= a.X1 - 1 && box.Y >= a.Y1 - 1 && box.Right <= a.X2 + 1 && box.Bottom <= a.Y2 + 1, $"{r.FileName}: mask {box} outside box");
            }
        }
        using var sample = SampleTransform.Prepare(source[0], new TransformConfig { MinShortSide = 200, MaxShortSide = 200, MaxSize = 400, FlipProbability = 0 },
            new Random(0), source.KeypointFlipMap);
        Assert.Equal(200, Math.Min(sample.Image.shape[1], sample.Image.shape[2]));
        Assert.Equal(sample.Target.Boxes.shape[0], sample.Target.Masks!.shape[0]);
    }

    [Fact]
    public void FlipMovesBoxesMasksAndSwapsLeftRightKeypoints()
    {
        var mask = new byte[4 * 6];
        mask[1 * 6 + 1] = 1; mask[1 * 6 + 2] = 1; // a 2x1 blob at x 1..2, y 1
        var kp = new float[] { 1.5f, 1.5f, 2, 4.5f, 2.5f, 1 }; // left_eye, right_eye
        var record = new DetectionRecord(7, "mem", 6, 4, () => new DecodedImage(6, 4, Enumerable.Range(0, 72).Select(i => (byte)i).ToArray()),
            () => [new InstanceAnnotation(1, 1, 1, 3, 2, mask, kp)]);
        var config = new TransformConfig { MinShortSide = 4, MaxShortSide = 4, MaxSize = 6, FlipProbability = 1 };
        using var s = SampleTransform.Prepare(record, config, new Random(0), [1, 0]);
        Assert.True(s.Flipped);
        Assert.Equal(new float[] { 3, 1, 5, 2 }, s.Target.Boxes.data<float>().ToArray());
        var m = s.Target.Masks![0];
        Assert.Equal(1, m[1, 3].ToInt32()); Assert.Equal(1, m[1, 4].ToInt32()); Assert.Equal(0, m[1, 1].ToInt32());
        // Keypoint 0 is now the mirror of the old right eye, at 6 - 4.5.
        Assert.Equal(new float[] { 1.5f, 2.5f, 1, 4.5f, 1.5f, 2 }, s.Target.Keypoints!.reshape(-1).data<float>().ToArray());
        // Pixels: the first row reversed.
        Assert.Equal((15 / 255f), s.Image[0, 0, 0].ToSingle(), 5);
    }

    [Fact]
    public void LoaderBatchesArePaddedDeterministicAndResumable()
    {
        var source = new ShapesSource(20, 4, new ShapesConfig { Size = 64 });
        var config = new LoaderConfig { BatchSize = 3, Seed = 5, Transform = new TransformConfig { MinShortSide = 48, MaxShortSide = 80, MaxSize = 100 } };
        var a = new DetectionLoader(source, config);
        var b = new DetectionLoader(source, config);
        var firstRun = a.Batches(0).Take(12).Select(Fingerprint).ToList();
        var resumed = b.Batches(7).Take(5).Select(Fingerprint).ToList();
        Assert.Equal(firstRun.Skip(7), resumed);
        foreach (var batch in a.Batches(0).Take(3))
            using (batch)
            {
                Assert.Equal(0, batch.Images.Tensor.shape[2] % 32);
                Assert.Equal(0, batch.Images.Tensor.shape[3] % 32);
            }
        // Every epoch visits every image once.
        var epoch = Enumerable.Range(0, 20).Select(i => a.IndexOf(20 + i)).OrderBy(i => i);
        Assert.Equal(Enumerable.Range(0, 20), epoch);
    }

    static string Fingerprint(DetectionBatch batch)
    {
        using (batch)
            return string.Join(";", batch.Samples.Select(s => $"{s.ImageId}:{s.Flipped}:{s.Image.shape[1]}x{s.Image.shape[2]}:{s.Image.sum().ToSingle():F3}"));
    }

    [Fact]
    public void MissingOrWrongImagesGetErrorsNamingFileAndImage()
    {
        string dir = Path.Combine(root, "broken");
        ShapesBuilder.Build(dir, 3, 1, new ShapesConfig { Size = 48 });
        File.Delete(Path.Combine(dir, "images", ShapesBuilder.FileName(1)));
        File.WriteAllText(Path.Combine(dir, "images", ShapesBuilder.FileName(2)), "not a png");
        var source = CocoDetectionSource.Open(dir);
        var problems = source.CheckImages();
        Assert.Equal(2, problems.Count);
        Assert.Contains("000002.png: image 2: the file does not exist", problems[0]);
        Assert.Contains("image 3", problems[1]);
        var ex = Assert.Throws<DataException>(() => source[1].LoadImage());
        Assert.Contains("000002.png", ex.Message);
        // The loader surfaces the same error from its background thread.
        var loader = new DetectionLoader(source, new LoaderConfig { BatchSize = 3, Shuffle = false });
        Assert.Throws<DataException>(() => loader.Batches(0).First().Dispose());
        Assert.Equal(2, source.DropBadImages(problems));
        Assert.Equal(1, source.Count);
    }

    [Fact]
    public void ShapesSetIsDeterministicHasAllAreaRangesAndExactMasks()
    {
        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b");
        var config = new ShapesConfig { Size = 160 };
        var report = ShapesBuilder.Build(a, 60, 11, config);
        ShapesBuilder.Build(b, 60, 11, config);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "annotations.json")), File.ReadAllBytes(Path.Combine(b, "annotations.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "images", "000042.png")), File.ReadAllBytes(Path.Combine(b, "images", "000042.png")));
        Assert.True(report.Small > 0 && report.Medium > 0 && report.Large > 0, $"small {report.Small} medium {report.Medium} large {report.Large}");
        Assert.InRange(report.Instances / 60.0, 4.5, 8.5);
        var dataset = CocoFile.Load(Path.Combine(a, "annotations.json"));
        foreach (var ann in dataset.Annotations)
        {
            var rle = SegmentationRle.ToRle(ann.Segmentation!, 160, 160);
            Assert.Equal(ann.Area, rle.Area);
            Assert.Equal(ann.Bbox, rle.ToBbox());
        }
        // The in-memory source renders exactly what was written.
        var mem = new ShapesSource(60, 11, config);
        var fromDisk = CocoDetectionSource.Open(a);
        Assert.Equal(fromDisk[5].LoadImage().Rgb, mem[5].LoadImage().Rgb);
        Assert.Equal(fromDisk[5].LoadAnnotations().Select(x => x.Mask), mem[5].LoadAnnotations().Select(x => x.Mask));
        // A different seed gives a different set; VOC-like density is settable.
        var sparse = ShapesBuilder.Build(Path.Combine(root, "voc"), 60, 11, config with { MeanInstances = 2.3 });
        Assert.InRange(sparse.Instances / 60.0, 1.5, 3.2);
    }

    [Fact]
    public void GroundTruthAsDetectionsScoresPerfectlyAndSubsetsAreReproducible()
    {
        var source = new ShapesSource(12, 2, new ShapesConfig { Size = 96 });
        var gt = CocoExport.FromSource(source);
        var results = gt.Annotations.Where(a => !a.IsCrowd).Select((a, i) => new CocoDetection(a.ImageId, a.CategoryId, 1.0 - i * 1e-4, a.Bbox, a.Segmentation)).ToList();
        var scores = DetectorEvaluation.Score(gt, results, masks: true, keypoints: false);
        Assert.Equal(1.0, scores["bbox/AP"], 9);
        Assert.Equal(1.0, scores["segm/AP"], 9);
        var s1 = CocoSubset.Sample(gt, 5, 3);
        var s2 = CocoSubset.Sample(gt, 5, 3);
        Assert.Equal(s1.Images, s2.Images);
        Assert.Equal(s1.Annotations.Count, gt.Annotations.Count(a => s1.Images.Any(i => i.Id == a.ImageId)));
        Assert.NotEqual(s1.Images, CocoSubset.Sample(gt, 5, 4).Images);
        Assert.Throws<ArgumentOutOfRangeException>(() => CocoSubset.Sample(gt, 13, 0));
    }
}
