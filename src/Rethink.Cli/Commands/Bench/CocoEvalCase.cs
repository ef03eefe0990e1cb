using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Cli.Commands.Bench;

/// <summary>
/// A val2017-sized synthetic case, generated deterministically from a seed: images of 640x480, the 80 COCO
/// category ids, 1..13 ground-truth quadrilaterals per image, and 100 detections per image (jittered copies of
/// ground truths mixed with random boxes), as boxes and as compressed-RLE masks.
/// </summary>
internal static class CocoEvalCase
{
    private static readonly int[] CocoCategoryIds =
    [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
        35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
        64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
    ];

    public static void Write(string directory, int imageCount, int seed)
    {
        const int Width = 640, Height = 480, DetectionsPerImage = 100;
        var random = new Random(seed);
        var images = new List<CocoImage>(imageCount);
        var annotations = new List<CocoAnnotation>();
        var boxResults = new List<CocoDetection>(imageCount * DetectionsPerImage);
        var maskResults = new List<CocoDetection>(imageCount * DetectionsPerImage);
        long annotationId = 1;
        for (int i = 0; i < imageCount; i++)
        {
            long imageId = 100_000 + (i * 7L);
            images.Add(new CocoImage(imageId, $"{imageId:D12}.jpg", Width, Height));
            int gtCount = random.Next(1, 14);
            var quads = new List<(double[] Quad, long Category)>(gtCount);
            for (int g = 0; g < gtCount; g++)
            {
                long category = CocoCategoryIds[random.Next(CocoCategoryIds.Length)];
                double[] quad = RandomQuad(random, Width, Height);
                quads.Add((quad, category));
                annotations.Add(new CocoAnnotation(
                    annotationId++, imageId, category, Extent(quad), Round2(ShoelaceArea(quad)),
                    Segmentation: new PolygonSegmentation([quad])));
            }

            for (int d = 0; d < DetectionsPerImage; d++)
            {
                double[] quad;
                long category;
                if (random.NextDouble() < 0.5)
                {
                    (double[] source, long gtCategory) = quads[random.Next(quads.Count)];
                    quad = Jitter(random, source, Width, Height);
                    category = random.NextDouble() < 0.8 ? gtCategory : CocoCategoryIds[random.Next(CocoCategoryIds.Length)];
                }
                else
                {
                    quad = RandomQuad(random, Width, Height);
                    category = CocoCategoryIds[random.Next(CocoCategoryIds.Length)];
                }

                double score = Math.Round(random.NextDouble(), 4);
                boxResults.Add(new CocoDetection(imageId, category, score, Bbox: Extent(quad)));
                string counts = Rle.FromPolygon(quad, Height, Width).ToCompressedString();
                maskResults.Add(new CocoDetection(imageId, category, score, Segmentation: new CompressedRleSegmentation(Height, Width, counts)));
            }
        }

        var categories = CocoCategoryIds.Select(id => new CocoCategory(id, $"class{id}", "thing")).ToArray();
        Directory.CreateDirectory(directory);
        CocoFile.Save(new CocoDataset(images, annotations, categories), Path.Combine(directory, "gt.json"));
        CocoResultsFile.Save(boxResults, Path.Combine(directory, "dets_bbox.json"));
        CocoResultsFile.Save(maskResults, Path.Combine(directory, "dets_segm.json"));
    }

    /// <summary>A quadrilateral with one corner on each side of a random box, so the box is its extent.</summary>
    private static double[] RandomQuad(Random random, int width, int height)
    {
        // Log-uniform sizes give a COCO-like mix of small, medium and large objects.
        double w = Math.Exp(Lerp(Math.Log(6), Math.Log(width * 0.9), random.NextDouble()));
        double h = Math.Exp(Lerp(Math.Log(6), Math.Log(height * 0.9), random.NextDouble()));
        double x = random.NextDouble() * (width - w), y = random.NextDouble() * (height - h);
        return
        [
            Round2(x + (random.NextDouble() * w)), Round2(y),
            Round2(x + w), Round2(y + (random.NextDouble() * h)),
            Round2(x + (random.NextDouble() * w)), Round2(y + h),
            Round2(x), Round2(y + (random.NextDouble() * h)),
        ];
    }

    private static double[] Jitter(Random random, double[] quad, int width, int height)
    {
        CocoBox box = Extent(quad);
        double scale = 0.15 * Math.Sqrt(box.Width * box.Height);
        var jittered = new double[quad.Length];
        for (int j = 0; j < quad.Length; j += 2)
        {
            jittered[j] = Round2(Math.Clamp(quad[j] + ((random.NextDouble() - 0.5) * scale), 0, width - 1));
            jittered[j + 1] = Round2(Math.Clamp(quad[j + 1] + ((random.NextDouble() - 0.5) * scale), 0, height - 1));
        }

        // Keep every box non-degenerate.
        jittered[2] = Math.Max(jittered[2], jittered[6] + 2);
        jittered[5] = Math.Max(jittered[5], jittered[1] + 2);
        return jittered;
    }

    private static CocoBox Extent(double[] quad)
    {
        double x0 = double.MaxValue, y0 = double.MaxValue, x1 = double.MinValue, y1 = double.MinValue;
        for (int j = 0; j < quad.Length; j += 2)
        {
            x0 = Math.Min(x0, quad[j]);
            x1 = Math.Max(x1, quad[j]);
            y0 = Math.Min(y0, quad[j + 1]);
            y1 = Math.Max(y1, quad[j + 1]);
        }

        return new CocoBox(x0, y0, Round2(x1 - x0), Round2(y1 - y0));
    }

    private static double ShoelaceArea(double[] quad)
    {
        double twice = 0;
        for (int j = 0; j < quad.Length; j += 2)
        {
            int next = (j + 2) % quad.Length;
            twice += (quad[j] * quad[next + 1]) - (quad[next] * quad[j + 1]);
        }

        return Math.Abs(twice) / 2;
    }

    private static double Lerp(double a, double b, double t) => a + ((b - a) * t);

    private static double Round2(double v) => Math.Round(v, 2);
}
