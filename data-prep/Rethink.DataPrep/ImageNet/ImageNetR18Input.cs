using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.DataPrep.ImageNet;

/// <summary>
/// What the imported ImageNet ResNet-18 expects: RGB pixels in 0..255 minus ImageNet's mean. The CNTK original takes BGR;
/// the importer reversed the stem conv's input channels, so the same numbers come out of RGB input.
///
/// The mean: at the network's native 224 x 224 the mean image that ships with the package (ResNetPreprocess.onnx), as
/// the original did; at any other size its per-channel averages (R 123.2, G 115.9, B 103.1). Resizing the mean image
/// instead would stamp ImageNet's centre-crop framing (a brighter centre, darker corners) onto images of another size and
/// aspect ratio, where objects sit anywhere; the image departs from its channel averages by about 4 units on average and
/// 13 at most (of 255; <see cref="MeanImageDeviation"/>, <see cref="MeanImageSpread"/>), small beside real pixel variation. In the
/// project's MaskRcnnConfig / ImageClassifier terms: PixelMean = <see cref="PixelMean"/>, PixelStd = <see cref="PixelStd"/>.
/// </summary>
public sealed class ImageNetR18Input : IDisposable
{
    public const int NativeSize = 224;
    const string Magic = "RETHINK-MEAN-1";

    ImageNetR18Input(Tensor meanImageRgb)
    {
        if (!meanImageRgb.shape.SequenceEqual(new long[] { 1, 3, NativeSize, NativeSize }))
            throw new InvalidDataException($"the mean image is ({string.Join(", ", meanImageRgb.shape)}), expected (1, 3, {NativeSize}, {NativeSize})");
        MeanImage = meanImageRgb.to(float32).contiguous();
        using var channel = MeanImage.mean([0, 2, 3]).to(float64);
        ChannelMean = channel.data<double>().ToArray();
        using var deviation = (MeanImage - MeanImage.mean([2, 3], keepdim: true)).abs();
        MeanImageSpread = deviation.max().item<float>();
        MeanImageDeviation = deviation.mean().item<float>();
    }

    /// <summary>The 224 x 224 mean image, RGB order, 0..255, (1, 3, 224, 224).</summary>
    public Tensor MeanImage { get; }
    /// <summary>Per-channel means of the mean image (R, G, B), 0..255.</summary>
    public IReadOnlyList<double> ChannelMean { get; }
    /// <summary>Largest distance of a mean-image pixel from its channel's average, 0..255 units.</summary>
    public double MeanImageSpread { get; }
    /// <summary>Average distance of a mean-image pixel from its channel's average, 0..255 units.</summary>
    public double MeanImageDeviation { get; }
    /// <summary>Channel means for images in [0, 1] (what MaskRcnnConfig.PixelMean holds).</summary>
    public IReadOnlyList<double> PixelMean => ChannelMean.Select(m => m / 255).ToArray();
    /// <summary>1/255 per channel: dividing [0, 1] pixels by it gives 0..255.</summary>
    public IReadOnlyList<double> PixelStd => [1 / 255.0, 1 / 255.0, 1 / 255.0];

    /// <summary>Reads the mean image from the package's ResNetPreprocess.onnx (stored there BGR, after a channel swap).</summary>
    public static ImageNetR18Input FromPreprocessGraph(OnnxGraph preprocess)
    {
        var sub = preprocess.Nodes.LastOrDefault(n => n.OpType == "Sub")
                  ?? throw new InvalidDataException($"{preprocess.Path}: no Sub node (the mean subtraction)");
        var concat = preprocess.Expect(sub.Input[0], "Concat", "the channel swap before the mean subtraction");
        var split = preprocess.Expect(concat.Input[0], "Split", "the channel swap");
        // The graph splits its RGB input into R, G, B and concatenates B, G, R: the mean image is in BGR order.
        if (!(concat.Input.Count == 3 && concat.Input[0] == split.Output[2] && concat.Input[1] == split.Output[1] && concat.Input[2] == split.Output[0]))
            throw new InvalidDataException($"{preprocess.Path}: the Concat does not reverse the Split's channels; the mean image's channel order is unknown");
        using var bgr = preprocess.Float(sub.Input[1]);
        return new ImageNetR18Input(bgr.flip(1));
    }

    /// <summary>RGB images in [0, 1], (B, 3, H, W), to the network's input.</summary>
    public Tensor Apply(Tensor rgb01)
    {
        if (rgb01.dim() != 4 || rgb01.shape[1] != 3) throw new ArgumentException($"expected (B, 3, H, W) RGB images, got ({string.Join(", ", rgb01.shape)})");
        var x = rgb01.to(float32) * 255f;
        if (rgb01.shape[2] == NativeSize && rgb01.shape[3] == NativeSize) return x.sub_(MeanImage.to(rgb01.device));
        using var mean = tensor(ChannelMean.Select(v => (float)v).ToArray(), device: rgb01.device).view(1, 3, 1, 1);
        return x.sub_(mean);
    }

    public void Save(string path)
    {
        string tmp = path + ".tmp";
        using (var w = new BinaryWriter(File.Create(tmp), Encoding.UTF8))
        {
            w.Write(Magic);
            MeanImage.Save(w);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static ImageNetR18Input Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"mean image not found: {path} (run `rethink data imagenet-r18`)", path);
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (r.ReadString() != Magic) throw new InvalidDataException($"{path}: not a Rethink mean-image file");
        using var t = TensorExtensionMethods.Load(r);
        return new ImageNetR18Input(t);
    }

    public void Dispose() => MeanImage.Dispose();
}
