using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>Summary text as pycocotools prints it, and Python's rounding of "{:0.3f}".</summary>
public class SummaryFormatTests
{
    [Fact]
    public void SummaryMatchesPycocotoolsLayout()
    {
        CocoEvalResult r = CocoEvalReferenceTests.Run("case00", "bbox");
        const string Expected =
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.200\n" +
            " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.407\n" +
            " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.167\n" +
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.095\n" +
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.392\n" +
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.323\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.131\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.303\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.303\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.189\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.483\n" +
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.433\n";
        Assert.Equal(Expected, r.Summary());
    }

    [Fact]
    public void SummaryShowsMinusOneWhenNothingToMeasure()
    {
        CocoEvalResult r = CocoEvalReferenceTests.Run("case05", "bbox");
        Assert.Equal(0.0, r.Stats[4]);
        var gt = new CocoDataset([new CocoImage(1, "a", 10, 10)], [], [new CocoCategory(1, "x")]);
        CocoEvalResult empty = CocoEvaluator.Evaluate(gt, [], CocoIouType.Bbox);
        Assert.All(empty.Stats, s => Assert.Equal(-1, s));
        Assert.EndsWith("] = -1.000\n", empty.Summary());
    }

    [Theory]
    [InlineData(0.0625, "0.062")]
    [InlineData(0.0005, "0.001")]
    [InlineData(2.675, "2.675")]
    [InlineData(0.2002087827830402, "0.200")]
    [InlineData(-1, "-1.000")]
    [InlineData(-0.0001, "-0.000")]
    [InlineData(1, "1.000")]
    [InlineData(1.0005, "1.000")]
    [InlineData(0.1235, "0.123")]
    public void FixedFormattingRoundsLikePython(double value, string expected) =>
        Assert.Equal(expected, PythonFormat.Fixed(value, 3));

    [Fact]
    public void ThresholdsAreNumpyLinspace()
    {
        CocoEvalParams p = CocoEvalParams.For(CocoIouType.Bbox);
        Assert.Equal(10, p.IouThresholds.Count);
        Assert.Equal(0.75, p.IouThresholds[5]);
        Assert.Equal(0.95, p.IouThresholds[9]);
        Assert.Equal(101, p.RecallThresholds.Count);
        Assert.Equal(0.01 * 7, p.RecallThresholds[7]);
        Assert.Equal(1.0, p.RecallThresholds[100]);
        Assert.Equal([1, 10, 100], p.MaxDets);
        Assert.Equal(["all", "small", "medium", "large"], p.AreaRanges.Select(a => a.Label));
    }

    [Fact]
    public void PerCategoryApAndArraysHaveCocoShapes()
    {
        CocoEvalResult r = CocoEvalReferenceTests.Run("case00", "segm");
        Assert.Equal(6, r.CategoryIds.Count);
        Assert.Equal([10, 101, 6, 4, 3], Enumerable.Range(0, 5).Select(r.Precision.GetLength));
        Assert.Equal([10, 6, 4, 3], Enumerable.Range(0, 4).Select(r.Recall.GetLength));
        Assert.Equal(r.CategoryIds, r.PerCategoryAp.Select(c => c.CategoryId));
        double[] measured = r.PerCategoryAp.Select(c => c.AveragePrecision).Where(v => v > -1).ToArray();
        Assert.NotEmpty(measured);
        Assert.All(measured, v => Assert.InRange(v, 0, 1));
    }
}
