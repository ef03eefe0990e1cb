using System.Text.Json;
using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>The six pycocotools COCOeval reference cases, bbox and segm, stat by stat.</summary>
public class CocoEvalReferenceTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string dir in Directory.GetDirectories(FixturePaths.Of("coco-eval")).Order())
        {
            data.Add(Path.GetFileName(dir), "bbox");
            data.Add(Path.GetFileName(dir), "segm");
        }

        return data;
    }

    internal static double[] Expected(string caseName, string iouType)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePaths.Of("coco-eval", caseName, "expected.json")));
        return doc.RootElement.GetProperty(iouType).EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    internal static CocoEvalResult Run(string caseName, string iouType, bool parallel = true, bool honorIgnore = false)
    {
        CocoDataset gt = CocoFile.Load(FixturePaths.Of("coco-eval", caseName, "gt.json"));
        CocoResults dets = CocoResultsFile.Load(FixturePaths.Of("coco-eval", caseName, $"dets_{iouType}.json"), gt);
        CocoIouType type = iouType == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm;
        CocoEvalParams p = CocoEvalParams.For(type) with { HonorIgnoreFlag = honorIgnore };
        return CocoEvaluator.Evaluate(gt, dets.Detections, type, p, parallel);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StatsAgreeWithPycocotools(string caseName, string iouType)
    {
        double[] expected = Expected(caseName, iouType);
        CocoEvalResult result = Run(caseName, iouType);
        Assert.Equal(12, result.Stats.Count);
        for (int i = 0; i < 12; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - result.Stats[i]) <= 1e-6,
                $"{caseName} {iouType} stat {i}: expected {expected[i]:R}, got {result.Stats[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StatsAreBitIdenticalToPycocotools(string caseName, string iouType)
    {
        double[] expected = Expected(caseName, iouType);
        Assert.Equal(expected, Run(caseName, iouType).Stats);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SequentialAndParallelRunsAgree(string caseName, string iouType)
    {
        CocoEvalResult parallel = Run(caseName, iouType, parallel: true);
        CocoEvalResult sequential = Run(caseName, iouType, parallel: false);
        Assert.Equal(sequential.Stats, parallel.Stats);
        Assert.Equal(sequential.Summary(), parallel.Summary());
    }
}

/// <summary>pycocotools' _prepare overwrites gt['ignore'] with iscrowd; the references depend on that.</summary>
public class IgnoreFlagSemanticsTests
{
    [Fact]
    public void HonouringTheIgnoreFieldChangesSomeReferenceStats()
    {
        int differing = 0;
        foreach (string dir in Directory.GetDirectories(FixturePaths.Of("coco-eval")))
        {
            string name = Path.GetFileName(dir);
            foreach (string type in new[] { "bbox", "segm" })
            {
                double[] expected = CocoEvalReferenceTests.Expected(name, type);
                IReadOnlyList<double> honoured = CocoEvalReferenceTests.Run(name, type, honorIgnore: true).Stats;
                if (!expected.SequenceEqual(honoured))
                {
                    differing++;
                }
            }
        }

        Assert.True(differing > 0, "the ignore field should matter somewhere in the references");
    }
}
