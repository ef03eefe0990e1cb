using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Tests.Coco;

/// <summary>Small seeded random datasets with the awkward parts: tied scores, crowds, >100 detections, empty images.</summary>
internal static class RandomCases
{
    public static (CocoDataset Gt, List<CocoDetection> Boxes, List<CocoDetection> Masks) Make(int seed, int images = 25)
    {
        var random = new Random(seed);
        var imageList = new List<CocoImage>();
        var annotations = new List<CocoAnnotation>();
        var boxes = new List<CocoDetection>();
        var masks = new List<CocoDetection>();
        long[] categories = [2, 5, 9, 11];
        long annotationId = 1;
        for (int i = 0; i < images; i++)
        {
            int w = random.Next(60, 200), h = random.Next(60, 200);
            long imageId = 500 - (i * 3);
            imageList.Add(new CocoImage(imageId, $"{imageId}.png", w, h));
            int gtCount = random.Next(0, 6);
            var gtBoxes = new List<(CocoBox Box, long Category)>();
            for (int g = 0; g < gtCount; g++)
            {
                CocoBox box = RandomBox(random, w, h);
                long category = categories[random.Next(categories.Length)];
                bool crowd = random.NextDouble() < 0.15;
                Rle mask = Rle.FromBbox(box, h, w);
                CocoSegmentation segmentation = crowd
                    ? new CompressedRleSegmentation(h, w, mask.ToCompressedString())
                    : new PolygonSegmentation([[box.X, box.Y, box.Right, box.Y, box.Right, box.Bottom, box.X, box.Bottom]]);
                annotations.Add(new CocoAnnotation(annotationId++, imageId, category, box, mask.Area, crowd, segmentation));
                gtBoxes.Add((box, category));
            }

            int detCount = i % 7 == 3 ? 130 : random.Next(0, 15);
            for (int d = 0; d < detCount; d++)
            {
                CocoBox box;
                long category;
                if (gtBoxes.Count > 0 && random.NextDouble() < 0.6)
                {
                    (CocoBox source, long c) = gtBoxes[random.Next(gtBoxes.Count)];
                    box = Jitter(random, source, w, h);
                    category = c;
                }
                else
                {
                    box = RandomBox(random, w, h);
                    category = categories[random.Next(categories.Length)];
                }

                double score = Math.Round(random.NextDouble(), 1);
                boxes.Add(new CocoDetection(imageId, category, score, box));
                string counts = Rle.FromBbox(box, h, w).ToCompressedString();
                masks.Add(new CocoDetection(imageId, category, score, Segmentation: new CompressedRleSegmentation(h, w, counts)));
            }
        }

        var cats = categories.Select(c => new CocoCategory(c, $"c{c}")).Append(new CocoCategory(20, "unused")).ToArray();
        return (new CocoDataset(imageList, annotations, cats), boxes, masks);
    }

    private static CocoBox RandomBox(Random random, int w, int h)
    {
        double bw = 2 + (random.NextDouble() * (w - 4)), bh = 2 + (random.NextDouble() * (h - 4));
        return new CocoBox(Math.Round(random.NextDouble() * (w - bw), 1), Math.Round(random.NextDouble() * (h - bh), 1), Math.Round(bw, 1), Math.Round(bh, 1));
    }

    private static CocoBox Jitter(Random random, CocoBox b, int w, int h)
    {
        double x = Math.Clamp(b.X + ((random.NextDouble() - 0.5) * b.Width * 0.3), 0, w - 2);
        double y = Math.Clamp(b.Y + ((random.NextDouble() - 0.5) * b.Height * 0.3), 0, h - 2);
        double bw = Math.Clamp(b.Width * (0.8 + (random.NextDouble() * 0.4)), 1, w - x);
        double bh = Math.Clamp(b.Height * (0.8 + (random.NextDouble() * 0.4)), 1, h - y);
        return new CocoBox(Math.Round(x, 1), Math.Round(y, 1), Math.Round(bw, 1), Math.Round(bh, 1));
    }
}
