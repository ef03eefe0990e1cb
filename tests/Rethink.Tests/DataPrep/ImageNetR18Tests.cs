using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rethink.DataPrep.ImageNet;
using Rethink.Modeling;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using Rethink.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rethink.Tests.DataPrep;

/// <summary>Imports the ImageNet ResNet-18 once (restoring the NuGet package first when it is not in the cache).</summary>
public sealed class ImportedR18 : IDisposable
{
    public ImportedR18()
    {
        TestSupport.Init();
        Directory = System.IO.Directory.CreateTempSubdirectory("rethink-r18-").FullName;
        Report = ImageNetR18.Import(Directory);
    }

    public string Directory { get; }
    public ImageNetR18Report Report { get; }
    public ImageNetR18Files Files => Report.Source;

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

public class ImageNetR18Tests(ImportedR18 imported, ITestOutputHelper output) : IClassFixture<ImportedR18>
{
    static IReadOnlyList<string> Photos()
    {
        var photos = ImageNetR18.Photos();
        Assert.True(photos.Count == 3,
            $"expected the 3 VOC photos of Debian's labelme-examples in {ImageNetR18.PhotoDirectory}: run tests/prerequisites.sh (it installs labelme-examples)");
        return photos;
    }

    static float[] RunOrt(InferenceSession session, float[] input, int[] shape)
    {
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, shape))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void ImportedFeaturesMatchOnnxRuntimeOnRealPhotos()
    {
        using var prep = new InferenceSession(imported.Files.Preprocess);
        using var net = new InferenceSession(imported.Files.Network);
        using var model = ImageNetR18.LoadBackbone(ImageNetR18.CheckpointFile(imported.Directory));
        using var input = ImageNetR18Input.Load(ImageNetR18.MeanImageFile(imported.Directory));
        int[] shape = [1, 3, 224, 224];
        double worst = 0;
        foreach (var path in Photos())
        {
            using var scope = NewDisposeScope();
            var photo = ImageNetR18.LoadPhoto(path);
            // ONNX Runtime: the package's own preprocessing graph (RGB 0..255 in) and then the network.
            var pre = RunOrt(prep, (photo * 255f).contiguous().data<float>().ToArray(), shape);
            var expected = RunOrt(net, pre, shape);
            Assert.Equal(512, expected.Length);
            // Ours: the importer's preprocessing and the checkpoint written by the import, loaded into a fresh backbone.
            var ours = ImageNetR18.Features(model, input.Apply(photo)).flatten().data<float>().ToArray();
            double diff = expected.Zip(ours, (a, b) => Math.Abs(a - (double)b)).Max();
            output.WriteLine($"{Path.GetFileName(path)}: max |ours - onnxruntime| = {diff:E2} (features up to {expected.Max(Math.Abs):F2})");
            Assert.True(diff <= 1e-4, $"{path}: features differ from ONNX Runtime by {diff:E2}");
            Assert.True(expected.Max() > 1, "ONNX Runtime gave near-zero features: the comparison would prove nothing");
            worst = Math.Max(worst, diff);
        }
        output.WriteLine($"worst {worst:E2}; import took {imported.Report.ImportSeconds:F2} s; op-by-op reference {imported.Report.MaxAbsDiff:E2}");
        Assert.True(imported.Report.MaxAbsDiff <= 1e-4);
    }

    [Fact]
    public void PreprocessingMatchesThePackagesPreprocessGraph()
    {
        using var prep = new InferenceSession(imported.Files.Preprocess);
        using var input = ImageNetR18Input.Load(ImageNetR18.MeanImageFile(imported.Directory));
        using var scope = NewDisposeScope();
        var photo = ImageNetR18.LoadPhoto(Photos()[0]);
        var expected = RunOrt(prep, (photo * 255f).contiguous().data<float>().ToArray(), [1, 3, 224, 224]);
        // Ours is RGB (the stem conv was re-ordered); the package's is BGR.
        var ours = input.Apply(photo).flip(1).contiguous().data<float>().ToArray();
        Assert.True(expected.Zip(ours, (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
        // Other sizes subtract the per-channel means (R ~123.2, G ~115.9, B ~103.1).
        Assert.Equal(123.2, input.ChannelMean[0], 0.1);
        Assert.Equal(115.9, input.ChannelMean[1], 0.1);
        Assert.Equal(103.1, input.ChannelMean[2], 0.1);
        var other = input.Apply(full(1, 3, 64, 96, 0.5f));
        Assert.Equal(127.5 - input.ChannelMean[2], other[0, 2, 10, 10].item<float>(), 3);
    }

    [Fact]
    public void CheckpointLoadsIntoFrozenBnBnAndSyncBnBackbonesAndADetector()
    {
        string ckpt = ImageNetR18.CheckpointFile(imported.Directory);
        using var scope = NewDisposeScope();
        var x = ImageNetR18.LoadPhoto(Photos()[1]);
        using var frozen = ImageNetR18.LoadBackbone(ckpt);
        using var input = ImageNetR18Input.Load(ImageNetR18.MeanImageFile(imported.Directory));
        var reference = ImageNetR18.Features(frozen, input.Apply(x));
        foreach (var norm in new[] { NormKind.BN, NormKind.SyncBN })
        {
            using var model = ImageNetR18.LoadBackbone(ckpt, norm);
            Assert.True(TestSupport.MaxAbsDiff(ImageNetR18.Features(model, input.Apply(x)), reference) < 1e-4, $"{norm} in eval mode should give FrozenBN's features");
        }
        using var gn = new ResNet(ResNetSpec.ResNet18Cntk, NormKind.GN);
        Assert.Throws<InvalidOperationException>(() => PretrainedBackbone.Load(ckpt, gn));
        using var wrong = new ResNet(ResNetSpec.ResNet18, NormKind.FrozenBN);
        Assert.Throws<InvalidDataException>(() => PretrainedBackbone.Load(ckpt, wrong));

        using var detector = new MaskRcnn(ModelZoo.Config("maskrcnn-r18-cntk-fpn", NormKind.FrozenBN, numClasses: 11));
        int copied = PretrainedBackbone.Load(ckpt, (ResNet)detector.BackboneWithFpn.Body);
        Assert.Equal(frozen.state_dict().Count, copied);
    }

    [Fact]
    public void ImporterRefusesASpecWhoseLayoutDiffersFromTheGraph()
    {
        var graph = new OnnxGraph(imported.Files.Network);
        var e = Assert.Throws<InvalidDataException>(() => CntkResNetImporter.Import(graph, ResNetSpec.ResNet18));
        Assert.Contains("[2, 2, 2, 3]", e.Message);
    }
}
