using System.Text.Json;
using Rethink.Data.Coco;
using Rethink.Data.Masks;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>The 40 pycocotools mask API reference cases must agree exactly.</summary>
public class MaskApiVectorTests
{
    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < LoadCases().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static List<JsonElement> LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePaths.Of("mask-api-vectors.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static Rle PolygonMask(JsonElement c, out int h, out int w)
    {
        h = c.GetProperty("height").GetInt32();
        w = c.GetProperty("width").GetInt32();
        var polygons = c.GetProperty("polygons").EnumerateArray()
            .Select(p => (IReadOnlyList<double>)p.EnumerateArray().Select(v => v.GetDouble()).ToList()).ToList();
        return SegmentationRle.FromPolygons(polygons, h, w);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void PolygonMergeAgreesWithPycocotools(int index)
    {
        JsonElement c = LoadCases()[index];
        Rle merged = PolygonMask(c, out _, out _);
        Assert.Equal(c.GetProperty("rle_counts").GetString(), merged.ToCompressedString());
        Assert.Equal(c.GetProperty("area").GetInt64(), merged.Area);
        double[] expectedBox = c.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] box = merged.ToBbox().ToArray();
        for (int i = 0; i < 4; i++)
        {
            Assert.InRange(Math.Abs(box[i] - expectedBox[i]), 0, 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void DecodedRowSumsAgree(int index)
    {
        JsonElement c = LoadCases()[index];
        Rle merged = PolygonMask(c, out int h, out int w);
        byte[] mask = merged.Decode();
        int[] expected = c.GetProperty("decoded_row_sums").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(h, expected.Length);
        for (int y = 0; y < h; y++)
        {
            int sum = 0;
            for (int x = 0; x < w; x++)
            {
                sum += mask[(y * w) + x];
            }

            Assert.Equal(expected[y], sum);
        }

        // Encoding the decoded mask gives the same runs back.
        Assert.Equal(merged, Rle.Encode(mask, h, w));
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void RandomMaskEncodeAndIouAgree(int index)
    {
        JsonElement c = LoadCases()[index];
        Rle polygonMask = PolygonMask(c, out int h, out int w);
        string randomCounts = c.GetProperty("random_mask_rle_counts").GetString()!;
        Rle random = Rle.FromCompressedString(randomCounts, h, w);
        Assert.Equal(c.GetProperty("random_mask_sum").GetInt64(), random.Area);
        Assert.Equal(randomCounts, Rle.Encode(random.Decode(), h, w).ToCompressedString());

        double iou = MaskIou.Compute([polygonMask], [random], [false])[0, 0];
        double crowdIou = MaskIou.Compute([polygonMask], [random], [true])[0, 0];
        Assert.InRange(Math.Abs(iou - c.GetProperty("iou_with_random_mask").GetDouble()), 0, 1e-12);
        Assert.InRange(Math.Abs(crowdIou - c.GetProperty("iou_with_random_mask_as_crowd").GetDouble()), 0, 1e-12);
    }
}
