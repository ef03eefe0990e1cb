using Rethink.Data;
using Rethink.Data.Coco;

namespace Rethink.DataPrep;

/// <summary>What `rethink data coco` found and wrote.</summary>
public sealed record Coco2017Report(string Root, IReadOnlyList<string> Missing, IReadOnlyList<string> Problems,
    IReadOnlyDictionary<string, (int Images, int Annotations)> Splits, IReadOnlyList<string> Written);

/// <summary>
/// Checks a COCO 2017 download (DIR/train2017, DIR/val2017, DIR/annotations/instances_{train,val}2017.json) and
/// prepares what the trainers need: the paper's less-data subsets of train2017 (35k, 10k, 3.5k and 1k images, fixed
/// seeds) as annotation files under DIR/rethink/. Says exactly what is missing when the folder is incomplete.
/// </summary>
public static class Coco2017
{
    public static readonly (int Images, string Name)[] Subsets = [(35_000, "35k"), (10_000, "10k"), (3_500, "3.5k"), (1_000, "1k")];
    public const int SubsetSeed = 2019;

    public static Coco2017Report Prepare(string root, bool checkImages = true, TextWriter? log = null)
    {
        var missing = new List<string>();
        var problems = new List<string>();
        var splits = new Dictionary<string, (int, int)>();
        var written = new List<string>();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such folder (expected train2017/, val2017/ and annotations/ inside)");
        var datasets = new Dictionary<string, CocoDataset>();
        foreach (var split in new[] { "train2017", "val2017" })
        {
            string images = Path.Combine(root, split);
            string ann = Path.Combine(root, "annotations", $"instances_{split}.json");
            if (!Directory.Exists(images)) missing.Add($"{images}/ (the {split} images; unzip {split}.zip here)");
            if (!File.Exists(ann)) { missing.Add($"{ann} (from annotations_trainval2017.zip)"); continue; }
            log?.WriteLine($"reading {ann}");
            var dataset = CocoFile.Load(ann);
            datasets[split] = dataset;
            splits[split] = (dataset.Images.Count, dataset.Annotations.Count);
            if (checkImages && Directory.Exists(images))
            {
                var source = new CocoDetectionSource(dataset, images);
                var bad = source.CheckImages();
                problems.AddRange(bad);
                log?.WriteLine($"{split}: {dataset.Images.Count} images, {dataset.Annotations.Count} annotations, {bad.Count} image problems");
            }
        }
        if (datasets.TryGetValue("train2017", out var train))
        {
            string outDir = Path.Combine(root, "rethink");
            Directory.CreateDirectory(outDir);
            foreach (var (n, name) in Subsets)
            {
                if (n > train.Images.Count) continue;
                string file = Path.Combine(outDir, $"instances_train2017_{name}.json");
                if (!File.Exists(file)) CocoSubset.Sample(train, n, SubsetSeed).Save(file);
                written.Add(file);
            }
        }
        return new Coco2017Report(root, missing, problems, splits, written);
    }
}
