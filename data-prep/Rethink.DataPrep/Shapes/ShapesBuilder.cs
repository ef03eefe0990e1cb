using Rethink.Data;
using Rethink.Data.Coco;
using SkiaSharp;

namespace Rethink.DataPrep.Shapes;

/// <summary>Counts of what a build wrote.</summary>
public sealed record ShapesBuildReport(string Directory, int Images, int Instances, int Small, int Medium, int Large, TimeSpan Elapsed);

/// <summary>
/// Writes the procedural set as a COCO folder: DIR/annotations.json (instances with RLE masks) and DIR/images/*.png.
/// Deterministic for a seed: image i is drawn from (seed, i) alone, whatever the thread count.
/// </summary>
public static class ShapesBuilder
{
    public static ShapesBuildReport Build(string directory, int images, int seed, ShapesConfig? config = null, IProgress<int>? progress = null)
    {
        config ??= new ShapesConfig();
        config.Validate();
        if (images < 1) throw new ArgumentOutOfRangeException(nameof(images), images, "at least one image");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        string imageDir = Path.Combine(directory, "images");
        Directory.CreateDirectory(imageDir);
        var cocoImages = new CocoImage[images];
        var annotations = new List<CocoAnnotation>[images];
        int done = 0;
        Parallel.For(0, images, i =>
        {
            var scene = ShapesScene.Render(config, seed, i);
            ImageDecoder.SavePng(new DecodedImage(scene.Width, scene.Height, scene.Rgb), Path.Combine(imageDir, FileName(i)));
            cocoImages[i] = new CocoImage(i + 1, FileName(i), scene.Width, scene.Height);
            annotations[i] = CocoExport.ToAnnotations(i + 1, scene.Height, scene.Width, scene.Instances.Select(ToAnnotation));
            int d = Interlocked.Increment(ref done);
            if (d % 250 == 0 || d == images) progress?.Report(d);
        });
        var info = new CocoInfo($"Rethink procedural shapes: seed {seed}, {config.Size} px, mean {config.MeanInstances} instances per image", Version: "1");
        var dataset = CocoExport.Assemble(cocoImages, annotations, ShapePaths.DetectionKinds.Take(config.Categories).Select(k => k.Name()).ToList(), null, info);
        dataset.Save(Path.Combine(directory, "annotations.json"));
        var areas = dataset.Annotations.Select(a => a.Area).ToList();
        return new ShapesBuildReport(directory, images, areas.Count, areas.Count(a => a < 32 * 32), areas.Count(a => a >= 32 * 32 && a <= 96 * 96),
            areas.Count(a => a > 96 * 96), sw.Elapsed);
    }

    /// <summary>A rendered instance as the project's annotation type (label = category + 1).</summary>
    public static InstanceAnnotation ToAnnotation(SceneInstance i) => new(i.Category + 1, i.X0, i.Y0, i.X1, i.Y1, i.Mask);

    public static string FileName(int index) => $"{index + 1:D6}.png";

}
