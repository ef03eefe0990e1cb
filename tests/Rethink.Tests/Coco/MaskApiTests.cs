using Rethink.Data.Coco;
using Rethink.Data.Masks;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>Mask API behaviour beyond the reference vectors, checked against brute force on decoded masks.</summary>
public class MaskApiTests
{
    private static byte[] RandomMask(Random random, int h, int w, double density)
    {
        var mask = new byte[h * w];
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = (byte)(random.NextDouble() < density ? 1 : 0);
        }

        return mask;
    }

    [Fact]
    public void EncodeIsColumnMajorAndStartsWithBackground()
    {
        // 2x3 row-major [[1,0,0],[1,1,0]]: columns are (1,1), (0,1), (0,0) -> runs 0,2,1,1,2.
        Rle rle = Rle.Encode([1, 0, 0, 1, 1, 0], 2, 3);
        Assert.Equal([0u, 2, 1, 1, 2], rle.Counts);
        Assert.Equal(3, rle.Area);
        Assert.Equal(new CocoBox(0, 0, 2, 2), rle.ToBbox());
        Assert.Equal(new byte[] { 1, 0, 0, 1, 1, 0 }, rle.Decode());
    }

    [Fact]
    public void CompressedStringRoundTripsLargeAndAlternatingCounts()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 200; trial++)
        {
            uint[] counts = Enumerable.Range(0, random.Next(1, 40)).Select(_ => (uint)random.Next(0, trial % 2 == 0 ? 40 : 5_000_000)).ToArray();
            string text = RleStringCodec.Encode(counts);
            Assert.All(text, c => Assert.InRange(c, (char)48, (char)111));
            Assert.Equal(counts, RleStringCodec.Decode(text));
        }
    }

    [Fact]
    public void CompressedStringRejectsGarbage()
    {
        Assert.Throws<ArgumentException>(() => Rle.FromCompressedString("a b", 10, 10));
        Assert.Throws<ArgumentException>(() => Rle.FromCompressedString("P", 10, 10)); // ends inside a number
        Assert.Throws<ArgumentException>(() => Rle.FromCompressedString("1", 10, 10)); // one pixel of a hundred
    }

    [Fact]
    public void ConstructorChecksThatCountsCoverTheMask()
    {
        Assert.Throws<ArgumentException>(() => new Rle(2, 2, [1, 2]));
        Assert.Equal(2, new Rle(2, 2, [1, 2, 1]).Area);
    }

    [Fact]
    public void MergeAgreesWithPixelwiseUnionAndIntersection()
    {
        var random = new Random(9);
        for (int trial = 0; trial < 50; trial++)
        {
            int h = random.Next(1, 20), w = random.Next(1, 20);
            byte[] a = RandomMask(random, h, w, 0.4), b = RandomMask(random, h, w, 0.6), c = RandomMask(random, h, w, 0.5);
            Rle ra = Rle.Encode(a, h, w), rb = Rle.Encode(b, h, w), rc = Rle.Encode(c, h, w);
            byte[] union = a.Select((v, i) => (byte)(v | b[i] | c[i])).ToArray();
            byte[] inter = a.Select((v, i) => (byte)(v & b[i] & c[i])).ToArray();
            Assert.Equal(Rle.Encode(union, h, w), Rle.Merge([ra, rb, rc]));
            Assert.Equal(Rle.Encode(inter, h, w), Rle.Merge([ra, rb, rc], intersect: true));

            double expectedIou = inter.Length == 0 ? 0 : (double)a.Zip(b).Count(p => p.First == 1 && p.Second == 1) / Math.Max(1, a.Zip(b).Count(p => p.First == 1 || p.Second == 1));
            Assert.Equal(expectedIou, MaskIou.Compute([ra], [rb])[0, 0], 12);
        }
    }

    [Fact]
    public void BoxRasterisesAsItsCornerPolygon()
    {
        var box = new CocoBox(3.3, 4.6, 10.2, 7.9);
        Assert.Equal(Rle.FromPolygon([3.3, 4.6, 3.3, 12.5, 13.5, 12.5, 13.5, 4.6], 30, 20), Rle.FromBbox(box, 30, 20));
        Assert.Equal(Rle.FromBbox(new CocoBox(2, 3, 4, 5), 10, 10), Rle.Encode(BoxMask(2, 3, 4, 5, 10, 10), 10, 10));
    }

    private static byte[] BoxMask(int x, int y, int w, int h, int height, int width)
    {
        var mask = new byte[height * width];
        for (int r = y; r < y + h; r++)
        {
            for (int c = x; c < x + w; c++)
            {
                mask[(r * width) + c] = 1;
            }
        }

        return mask;
    }

    [Fact]
    public void FourNumberPolygonsAreReadAsBoxesLikeFrPyObjects() =>
        Assert.Equal(Rle.FromBbox(new CocoBox(1, 1, 3, 3), 8, 8), SegmentationRle.FromPolygons([[1, 1, 3, 3]], 8, 8));

    [Fact]
    public void BoxIouFollowsTheCrowdRule()
    {
        var crowd = new CocoBox(0, 0, 100, 100);
        var inside = new CocoBox(10, 10, 10, 10);
        Assert.Equal(1.0, BoxIou.Pair(inside, crowd, groundTruthIsCrowd: true));
        Assert.Equal(0.01, BoxIou.Pair(inside, crowd), 15);
        Assert.Equal(0.0, BoxIou.Pair(new CocoBox(0, 0, 1, 1), new CocoBox(1, 0, 1, 1)));
        double[,] matrix = BoxIou.Compute([inside, crowd], [crowd], [true]);
        Assert.Equal(1.0, matrix[0, 0]);
        Assert.Equal(1.0, matrix[1, 0]);
    }

    [Fact]
    public void MaskIouFollowsTheCrowdRuleAndFlagsSizeMismatch()
    {
        Rle big = Rle.FromBbox(new CocoBox(0, 0, 10, 10), 20, 20);
        Rle small = Rle.FromBbox(new CocoBox(2, 2, 4, 4), 20, 20);
        Assert.Equal(0.16, MaskIou.Compute([small], [big])[0, 0], 15);
        Assert.Equal(1.0, MaskIou.Compute([small], [big], [true])[0, 0]);
        Assert.Equal(-1, MaskIou.Compute([Rle.FromBbox(new CocoBox(0, 0, 5, 5), 30, 20)], [big])[0, 0]);
    }

    [Fact]
    public void AnnotationSegmentationsBecomeMasks()
    {
        Rle box = Rle.FromBbox(new CocoBox(1, 1, 4, 4), 10, 12);
        Assert.Equal(box, SegmentationRle.ToRle(new UncompressedRleSegmentation(10, 12, box.Counts), 99, 99));
        Assert.Equal(box, SegmentationRle.ToRle(new CompressedRleSegmentation(10, 12, box.ToCompressedString()), 99, 99));
        Assert.Equal(box, SegmentationRle.ToRle(new PolygonSegmentation([[1, 1, 1, 5, 5, 5, 5, 1]]), 10, 12));
    }
}
