using Rethink.Data;

namespace Rethink.DataPrep.Mnist;

/// <summary>
/// Fashion-MNIST (Zalando, MIT) from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist/*.gz) as a
/// classification source for pre-training: 60,000 training and 10,000 test images of 10 clothing classes, 28 x 28 gray,
/// upsampled (bilinear) to <see cref="Size"/> and repeated over R, G and B. The raw idx bytes are SHA-256 checked at load.
/// </summary>
public sealed class FashionMnist : IClassificationSource
{
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";
    const string Origin = "Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1";

    /// <summary>SHA-256 of the decompressed idx files (recorded 2026-11-26 from the Debian package).</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte.gz"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte.gz"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte.gz"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    readonly GrayResampler resampler;

    public FashionMnist(MnistSplit split = MnistSplit.Train, int size = 64, string? directory = null)
    {
        if (size < 8 || size > 1024) throw new ArgumentOutOfRangeException(nameof(size), size, "image size must be 8..1024 px");
        string dir = directory ?? DebianDirectory;
        if (!Directory.Exists(dir))
            throw new DataException(dir, null, null, "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist (tests/prerequisites.sh does it)");
        string prefix = split == MnistSplit.Train ? "train" : "t10k";
        string images = $"{prefix}-images-idx3-ubyte.gz", labels = $"{prefix}-labels-idx1-ubyte.gz";
        Data = IdxImages.Load($"fashion-mnist-{split.ToString().ToLowerInvariant()}", Path.Combine(dir, images), Path.Combine(dir, labels),
            Sha256[images], Sha256[labels], Origin);
        Split = split;
        Size = size;
        resampler = new GrayResampler(Data.Cols, Data.Rows, size, size);
    }

    public MnistSplit Split { get; }
    public int Size { get; }
    /// <summary>The raw 28 x 28 images and labels.</summary>
    public IdxImages Data { get; }
    public int Count => Data.Count;
    public int NumClasses => Classes.Count;
    public IReadOnlyList<string> ClassNames => Classes;

    public (DecodedImage image, int label) Get(long index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Fashion-MNIST {Split} has {Count} images");
        int i = (int)index;
        var gray = resampler.Resample(Data.Image(i));
        var rgb = new byte[Size * Size * 3];
        for (int p = 0; p < gray.Length; p++)
        {
            byte v = (byte)Math.Clamp((int)MathF.Round(gray[p]), 0, 255);
            rgb[3 * p] = v; rgb[3 * p + 1] = v; rgb[3 * p + 2] = v;
        }
        return (new DecodedImage(Size, Size, rgb), Data.Label(i));
    }
}
