using System.Text.Json;
using Rethink.Data;
using Rethink.Data.Masks;
using Rethink.DataPrep.Mnist;

namespace Rethink.Tests.DataPrep;

/// <summary>The digit-scenes COCO folder: counts, masks inside (and touching) their boxes, exact occlusion, determinism per seed, splits.</summary>
public class DigitScenesTests
{
    static readonly DigitScenesConfig Config = new() { Size = 96 };

    static (DigitScenesReport report, string dir) Build(int images, int seed, MnistSplit split)
    {
        string dir = DataPrepPaths.TempDirectory("rethink-digits-");
        return (DigitScenesBuilder.Build(dir, images, seed, split, Config, DataPrepPaths.Cache), dir);
    }

    [Fact]
    public void CountsMatchAndEveryMaskIsExactlyInsideItsBox()
    {
        var (report, dir) = Build(40, 7, MnistSplit.Train);
        try
        {
            var mnist = MnistPackage.Load(MnistSplit.Train, DataPrepPaths.Cache);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "annotations.json")));
            var root = doc.RootElement;
            var images = root.GetProperty("images").EnumerateArray().ToList();
            var annotations = root.GetProperty("annotations").EnumerateArray().ToList();
            Assert.Equal(40, images.Count);
            Assert.Equal(40, report.Images);
            Assert.Equal(report.Instances, annotations.Count);
            Assert.Equal(report.Instances, report.PerDigit.Sum());
            Assert.Equal(report.Instances, report.Small + report.Medium + report.Large);
            Assert.True(report.Instances >= 40 * 3, $"about 6 digits per image expected, got {report.Instances} in 40");
            Assert.Equal(10, root.GetProperty("categories").GetArrayLength());
            Assert.Equal("train", root.GetProperty("info").GetProperty("split").GetString());
            Assert.Equal(40, Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Length);
            var first = ImageDecoder.Decode(Path.Combine(dir, "images", images[0].GetProperty("file_name").GetString()!));
            Assert.Equal((96, 96), (first.Width, first.Height));

            int s = Config.Size;
            foreach (var group in annotations.GroupBy(a => a.GetProperty("image_id").GetInt32()))
            {
                var covered = new byte[s * s];
                foreach (var a in group)
                {
                    var seg = a.GetProperty("segmentation");
                    Assert.Equal(new[] { s, s }, seg.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
                    var mask = new Rle(s, s, seg.GetProperty("counts").EnumerateArray().Select(v => v.GetUInt32())).Decode();
                    var box = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                    int x0 = box[0], y0 = box[1], x1 = box[0] + box[2], y1 = box[1] + box[3];
                    int area = 0, minX = s, minY = s, maxX = -1, maxY = -1;
                    for (int y = 0; y < s; y++)
                        for (int x = 0; x < s; x++)
                        {
                            if (mask[y * s + x] == 0) continue;
                            area++;
                            Assert.True(x >= x0 && x < x1 && y >= y0 && y < y1, $"annotation {a.GetProperty("id")}: mask pixel ({x}, {y}) outside its box [{x0}, {y0}, {x1}, {y1})");
                            Assert.True(covered[y * s + x] == 0, $"image {group.Key}: pixel ({x}, {y}) belongs to two digits");
                            covered[y * s + x] = 1;
                            (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
                        }
                    Assert.Equal(a.GetProperty("area").GetInt32(), area);
                    Assert.Equal((x0, y0, x1, y1), (minX, minY, maxX + 1, maxY + 1)); // the box is the mask's own, tight
                    int source = a.GetProperty("mnist_index").GetInt32();
                    Assert.Equal(mnist.Label(source) + 1, a.GetProperty("category_id").GetInt32());
                }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheSameSeedGivesTheSameBytesAndAnotherSeedDoesNot()
    {
        var (_, a) = Build(12, 3, MnistSplit.Train);
        var (_, b) = Build(12, 3, MnistSplit.Train);
        var (_, c) = Build(12, 4, MnistSplit.Train);
        try
        {
            var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
            Assert.Equal(13, files.Count);
            Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
            foreach (var f in files)
                Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), $"{f} differs between two builds with seed 3");
            Assert.False(File.ReadAllBytes(Path.Combine(a, "images", "000001.png")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(c, "images", "000001.png"))));
        }
        finally { foreach (var d in new[] { a, b, c }) Directory.Delete(d, recursive: true); }
    }

    [Fact]
    public void ValidationScenesTakeTheirDigitsFromMnistsTestSplit()
    {
        var (report, dir) = Build(20, 3, MnistSplit.Test);
        try
        {
            var test = MnistPackage.Load(MnistSplit.Test, DataPrepPaths.Cache);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "annotations.json")));
            Assert.Equal("val", doc.RootElement.GetProperty("info").GetProperty("split").GetString());
            Assert.Equal(MnistSplit.Test, report.Split);
            foreach (var a in doc.RootElement.GetProperty("annotations").EnumerateArray())
            {
                int source = a.GetProperty("mnist_index").GetInt32();
                Assert.InRange(source, 0, test.Count - 1);
                Assert.Equal(test.Label(source) + 1, a.GetProperty("category_id").GetInt32());
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheInMemorySourceGivesWhatTheBuilderWrote()
    {
        var (_, dir) = Build(6, 11, MnistSplit.Train);
        try
        {
            var source = new DigitScenesSource(6, 11, MnistSplit.Train, Config, DataPrepPaths.Cache);
            Assert.Equal(10, source.CategoryNames.Count);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "annotations.json")));
            var annotations = doc.RootElement.GetProperty("annotations").EnumerateArray().ToList();
            for (int i = 0; i < 6; i++)
            {
                var record = source[i];
                var written = ImageDecoder.Decode(Path.Combine(dir, "images", record.FileName));
                Assert.Equal(written.Rgb, record.LoadImage().Rgb);
                var expected = annotations.Where(a => a.GetProperty("image_id").GetInt64() == record.ImageId).ToList();
                var actual = record.LoadAnnotations();
                Assert.Equal(expected.Count, actual.Count);
                for (int k = 0; k < actual.Count; k++)
                {
                    Assert.Equal(expected[k].GetProperty("category_id").GetInt32(), actual[k].Label);
                    var seg = expected[k].GetProperty("segmentation").GetProperty("counts").EnumerateArray().Select(v => v.GetUInt32());
                    Assert.Equal(new Rle(Config.Size, Config.Size, seg).Decode(), actual[k].Mask);
                }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

}
