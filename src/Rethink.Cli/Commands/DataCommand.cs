using System.CommandLine;
using Rethink.DataPrep.ImageNet;
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
        command.Subcommands.Add(ImageNetR18Command());
        return command;
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
}
