using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>VOC AP on a hand-worked case: TP, duplicate FP, detection of a difficult box, TP, FP.</summary>
public class VocEvaluatorTests
{
    private static readonly CocoDataset Gt = new(
        [new CocoImage(1, "1.jpg", 200, 200), new CocoImage(2, "2.jpg", 200, 200)],
        [
            new CocoAnnotation(1, 1, 7, new CocoBox(10, 10, 50, 50), 2500),
            new CocoAnnotation(2, 1, 7, new CocoBox(100, 100, 40, 40), 1600, Ignore: true),
            new CocoAnnotation(3, 2, 7, new CocoBox(20, 20, 60, 60), 3600),
            new CocoAnnotation(4, 2, 8, new CocoBox(0, 0, 10, 10), 100, IsCrowd: true),
        ],
        [new CocoCategory(7, "dog"), new CocoCategory(8, "crowd-only"), new CocoCategory(9, "empty")]);

    private static readonly CocoDetection[] Dets =
    [
        new(1, 7, 0.9, new CocoBox(12, 10, 50, 50)),   // TP on annotation 1
        new(1, 7, 0.8, new CocoBox(10, 12, 50, 50)),   // duplicate: FP
        new(1, 7, 0.7, new CocoBox(100, 101, 40, 40)), // difficult: ignored
        new(2, 7, 0.6, new CocoBox(22, 20, 60, 60)),   // TP on annotation 3
        new(2, 7, 0.5, new CocoBox(150, 150, 20, 20)), // FP
        new(2, 8, 0.5, new CocoBox(0, 0, 10, 10)),     // on a crowd (difficult): ignored
    ];

    [Fact]
    public void AllPointApMatchesHandComputation()
    {
        // Recall .5,.5,.5,1,1 and precision 1,.5,.5,2/3,.5: AP = .5*1 + .5*(2/3).
        VocResult r = VocEvaluator.Evaluate(Gt, Dets);
        VocCategoryResult dog = r.PerCategory.Single(c => c.CategoryId == 7);
        Assert.Equal(2, dog.Positives);
        Assert.Equal([0.5, 0.5, 0.5, 1, 1], dog.Recall);
        Assert.Equal(0.5 + (0.5 * 2 / 3.0), dog.AveragePrecision, 12);
    }

    [Fact]
    public void ElevenPointApMatchesHandComputation()
    {
        // Six recall points (0 ... .5) reach precision 1, five (.6 ... 1) reach 2/3.
        VocResult r = VocEvaluator.Evaluate(Gt, Dets, new VocOptions(UseVoc07ElevenPointMetric: true));
        Assert.Equal((6 + (5 * 2 / 3.0)) / 11, r.PerCategory.Single(c => c.CategoryId == 7).AveragePrecision, 12);
    }

    [Fact]
    public void CategoriesWithoutPositivesAreLeftOutOfTheMean()
    {
        VocResult r = VocEvaluator.Evaluate(Gt, Dets);
        Assert.Equal(-1, r.PerCategory.Single(c => c.CategoryId == 8).AveragePrecision);
        Assert.Equal(-1, r.PerCategory.Single(c => c.CategoryId == 9).AveragePrecision);
        Assert.Equal(r.PerCategory.Single(c => c.CategoryId == 7).AveragePrecision, r.MeanAp);
    }

    [Fact]
    public void CrowdCountsAsPositiveWhenNotTreatedAsDifficult()
    {
        VocResult r = VocEvaluator.Evaluate(Gt, Dets, new VocOptions(CrowdIsDifficult: false));
        VocCategoryResult crowd = r.PerCategory.Single(c => c.CategoryId == 8);
        Assert.Equal(1, crowd.Positives);
        Assert.Equal(1.0, crowd.AveragePrecision);
    }

    [Fact]
    public void HigherThresholdTurnsLooseMatchesIntoMisses()
    {
        // The 2-px shifted boxes have IoU 0.92 (50x50) and 0.94 (60x60); at 0.95 every detection misses.
        VocResult r = VocEvaluator.Evaluate(Gt, Dets, new VocOptions(IouThreshold: 0.95));
        Assert.Equal(0, r.PerCategory.Single(c => c.CategoryId == 7).AveragePrecision);
    }
}
