using System.CommandLine;
using Rethink.Data;
using Rethink.Data.Coco;
using Rethink.DataPrep.Preview;
using Rethink.DataPrep.Shapes;

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
}
