using System.Text.Json;
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
        var scenes = new List<SceneInstance>[images];
        int done = 0;
        Parallel.For(0, images, i =>
        {
            var scene = ShapesScene.Render(config, seed, i);
            WritePng(Path.Combine(imageDir, FileName(i)), scene);
            scenes[i] = scene.Instances.ToList();
            int d = Interlocked.Increment(ref done);
            if (d % 250 == 0 || d == images) progress?.Report(d);
        });
        var report = WriteAnnotations(Path.Combine(directory, "annotations.json"), scenes, config, seed);
        return report with { Directory = directory, Elapsed = sw.Elapsed };
    }

    public static string FileName(int index) => $"{index + 1:D6}.png";

    static void WritePng(string path, Scene scene)
    {
        var info = new SKImageInfo(scene.Width, scene.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bmp = new SKBitmap(info);
        var px = new byte[scene.Width * scene.Height * 4];
        for (int i = 0, n = scene.Width * scene.Height; i < n; i++)
        {
            px[4 * i] = scene.Rgb[3 * i]; px[4 * i + 1] = scene.Rgb[3 * i + 1]; px[4 * i + 2] = scene.Rgb[3 * i + 2]; px[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(px, 0, bmp.GetPixels(), px.Length);
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        string tmp = path + ".tmp";
        using (var f = File.Create(tmp)) data.SaveTo(f);
        File.Move(tmp, path, overwrite: true);
    }

    static ShapesBuildReport WriteAnnotations(string path, List<SceneInstance>[] scenes, ShapesConfig config, int seed)
    {
        int s = config.Size, annId = 0, small = 0, medium = 0, large = 0;
        string tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("info");
            w.WriteString("description", "Rethink procedural shapes: textured shapes on cluttered backgrounds, exact occlusion-aware masks");
            w.WriteNumber("seed", seed);
            w.WriteNumber("image_size", s);
            w.WriteNumber("mean_instances", config.MeanInstances);
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
            {
                foreach (var inst in scenes[i])
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", ++annId);
                    w.WriteNumber("image_id", i + 1);
                    w.WriteNumber("category_id", inst.Category + 1);
                    w.WriteStartArray("bbox");
                    w.WriteNumberValue(inst.X0); w.WriteNumberValue(inst.Y0); w.WriteNumberValue(inst.X1 - inst.X0); w.WriteNumberValue(inst.Y1 - inst.Y0);
                    w.WriteEndArray();
                    w.WriteNumber("area", inst.Area);
                    w.WriteNumber("iscrowd", 0);
                    w.WriteStartObject("segmentation");
                    w.WriteStartArray("size"); w.WriteNumberValue(s); w.WriteNumberValue(s); w.WriteEndArray();
                    w.WriteStartArray("counts");
                    foreach (var c in ColumnMajorRuns(inst.Mask, s, s)) w.WriteNumberValue(c);
                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteEndObject();
                    if (inst.Area < 32 * 32) small++; else if (inst.Area <= 96 * 96) medium++; else large++;
                }
            }
            w.WriteEndArray();
            w.WriteStartArray("categories");
            for (int c = 0; c < config.Categories; c++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", c + 1);
                w.WriteString("name", ShapePaths.DetectionKinds[c].Name());
                w.WriteString("supercategory", "shape");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        File.Move(tmp, path, overwrite: true);
        return new ShapesBuildReport(Path.GetDirectoryName(path)!, scenes.Length, annId, small, medium, large, TimeSpan.Zero);
    }

    /// <summary>COCO's uncompressed RLE: run lengths over the mask in column-major order, starting with a run of zeros.</summary>
    static List<int> ColumnMajorRuns(byte[] mask, int height, int width)
    {
        var runs = new List<int>();
        byte current = 0;
        int run = 0;
        for (int x = 0; x < width; x++)
            for (int y = 0; y < height; y++)
            {
                byte v = mask[y * width + x];
                if (v == current) { run++; continue; }
                runs.Add(run);
                current = v;
                run = 1;
            }
        runs.Add(run);
        return runs;
    }
}
