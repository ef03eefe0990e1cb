using Rethink.Data.Coco;
using Rethink.DataPrep;
using Rethink.DataPrep.Shapes;

namespace Rethink.Tests.DataPrep;

/// <summary>`rethink data coco` on a small COCO-2017-shaped folder: what it writes, and what it says when parts are missing.</summary>
public class Coco2017Tests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "rethink-coco2017-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    /// <summary>Lays out a shapes build as COCO 2017 does: split folders of images, annotations/instances_SPLIT.json.</summary>
    void Layout(string split, int images, int seed)
    {
        string tmp = Path.Combine(root, "build-" + split);
        ShapesBuilder.Build(tmp, images, seed, new ShapesConfig { Size = 48 });
        Directory.Move(Path.Combine(tmp, "images"), Path.Combine(root, split));
        Directory.CreateDirectory(Path.Combine(root, "annotations"));
        File.Move(Path.Combine(tmp, "annotations.json"), Path.Combine(root, "annotations", $"instances_{split}.json"));
    }

    [Fact]
    public void IncompleteFolderSaysWhatIsMissingAndCompleteOneGetsTheSubsets()
    {
        Directory.CreateDirectory(root);
        var empty = Coco2017.Prepare(root);
        Assert.Equal(4, empty.Missing.Count);
        Assert.Contains(empty.Missing, m => m.Contains("instances_train2017.json"));
        Assert.Contains(empty.Missing, m => m.Contains("val2017/"));

        Layout("train2017", 1200, 1);
        Layout("val2017", 20, 2);
        File.Delete(Path.Combine(root, "val2017", "000003.png"));
        var report = Coco2017.Prepare(root);
        Assert.Empty(report.Missing);
        Assert.Single(report.Problems);
        Assert.Contains("000003.png", report.Problems[0]);
        Assert.Equal(1200, report.Splits["train2017"].Images);
        // 35k, 10k and 3.5k exceed this small train2017; the 1k subset is written, with a fixed seed.
        Assert.Single(report.Written);
        var subset = CocoFile.Load(report.Written[0]);
        Assert.Equal(1000, subset.Images.Count);
        File.Delete(report.Written[0]);
        var again = Coco2017.Prepare(root, checkImages: false);
        Assert.Equal(subset.Images, CocoFile.Load(again.Written[0]).Images);
    }
}
