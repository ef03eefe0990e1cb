using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>OKS and keypoint COCOeval on hand-computed cases (there is no pycocotools keypoint reference).</summary>
public class KeypointEvaluationTests
{
    private static readonly IReadOnlyList<double> Sigmas = CocoEvalParams.CocoKeypointSigmas;

    private static double[] Person(double x0, double y0, Func<int, double>? visibility = null)
    {
        var k = new double[51];
        for (int j = 0; j < 17; j++)
        {
            k[3 * j] = x0 + (j * 3);
            k[(3 * j) + 1] = y0 + (j * 5);
            k[(3 * j) + 2] = visibility?.Invoke(j) ?? 2;
        }

        return k;
    }

    private static double[] Shift(double[] keypoints, double dx, double dy)
    {
        double[] shifted = (double[])keypoints.Clone();
        for (int j = 0; j < 17; j++)
        {
            shifted[3 * j] += dx;
            shifted[(3 * j) + 1] += dy;
        }

        return shifted;
    }

    private static double Oks(double[] det, double[] gt, CocoBox box, double area) =>
        KeypointOks.Compute(det, gt, box, area, Sigmas, new double[17]);

    [Fact]
    public void SigmasAreTheCocoValuesOverTen()
    {
        Assert.Equal(17, Sigmas.Count);
        Assert.Equal(.026, Sigmas[0], 15);
        Assert.Equal(.107, Sigmas[11], 15);
    }

    [Fact]
    public void IdenticalKeypointsGiveOne()
    {
        double[] gt = Person(100, 100);
        Assert.Equal(1.0, Oks(gt, gt, new CocoBox(90, 90, 80, 120), 5000));
    }

    [Fact]
    public void SingleVisibleKeypointUsesOnlyThatOne()
    {
        // Only keypoint 11 (sigma .107) is labelled; detection is 1 px off: exp(-1 / (2 * .214^2 * 10000)).
        double[] gt = Person(100, 100, j => j == 11 ? 2 : 0);
        double[] det = Shift(Person(100, 100), 1, 0);
        Assert.Equal(0.9989087973846938, Oks(det, gt, new CocoBox(0, 0, 100, 100), 10000), 12);
    }

    [Fact]
    public void UniformDisplacementAveragesOverAllKeypoints()
    {
        double[] gt = Person(100, 100);
        Assert.Equal(0.8711549523382003, Oks(Shift(gt, 3, 4), gt, new CocoBox(0, 0, 100, 100), 10000), 12);
    }

    [Fact]
    public void GroundTruthWithoutVisibleKeypointsUsesDoubledBox()
    {
        // Box [10,10,20,20] grows to x in [-10, 50]; detections at x=60 are 10 px outside, y inside.
        double[] gt = Person(15, 15, _ => 0);
        var det = new double[51];
        for (int j = 0; j < 17; j++)
        {
            det[3 * j] = 60;
            det[(3 * j) + 1] = 20;
            det[(3 * j) + 2] = 1;
        }

        Assert.Equal(0.012952655516418861, Oks(det, gt, new CocoBox(10, 10, 20, 20), 400), 12);
    }

    private static CocoDataset PersonGt(params CocoAnnotation[] annotations) => new(
        [new CocoImage(1, "1.jpg", 640, 480)],
        annotations,
        [new CocoCategory(1, "person", "person", Enumerable.Range(0, 17).Select(i => $"k{i}").ToArray())]);

    private static CocoAnnotation PersonAnnotation(long id, double[] keypoints, int? numKeypoints = null) =>
        new(id, 1, 1, new CocoBox(90, 90, 60, 100), 5000, Keypoints: keypoints, NumKeypoints: numKeypoints ?? 17);

    [Fact]
    public void PerfectDetectionsScoreOne()
    {
        double[] a = Person(100, 100), b = Person(300, 200);
        CocoDataset gt = PersonGt(PersonAnnotation(1, a), PersonAnnotation(2, b));
        var dets = new[] { new CocoDetection(1, 1, 0.9, Keypoints: a), new CocoDetection(1, 1, 0.8, Keypoints: b) };
        CocoEvalResult r = CocoEvaluator.Evaluate(gt, dets, CocoIouType.Keypoints);
        Assert.Equal(10, r.Stats.Count);
        // AP, AP50, AP75, APm, APl(no large objects), AR, AR50, AR75, ARm, ARl.
        Assert.Equal([1, 1, 1, 1, -1, 1, 1, 1, 1, -1], r.Stats);
        Assert.Equal(1.0, r.PerCategoryAp.Single().AveragePrecision);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 1.000", r.Summary());
        Assert.Contains(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ] = -1.000", r.Summary());
    }

    [Fact]
    public void OksOf0783MatchesSixOfTenThresholds()
    {
        // A 4.9 px shift on a 5000 px^2 person gives OKS 0.783: matched at .50 ... .75, missed at .80 ... .95.
        double[] a = Person(100, 100);
        CocoDataset gt = PersonGt(PersonAnnotation(1, a));
        double[] det = Shift(a, 4.9, 0);
        Assert.Equal(0.7829662101581226, Oks(det, a, new CocoBox(90, 90, 60, 100), 5000), 12);
        CocoEvalResult r = CocoEvaluator.Evaluate(gt, [new CocoDetection(1, 1, 0.7, Keypoints: det)], CocoIouType.Keypoints);
        Assert.Equal(0.6, r.Stats[0], 12);
        Assert.Equal(1.0, r.Stats[1], 12);
        Assert.Equal(1.0, r.Stats[2], 12);
        Assert.Equal(0.6, r.Stats[5], 12);
    }

    [Fact]
    public void GroundTruthWithoutKeypointsIsIgnored()
    {
        // Person 2 has no labelled keypoints: matching it is neither a true nor a false positive.
        double[] a = Person(100, 100), b = Person(300, 200, _ => 0);
        CocoDataset gt = PersonGt(PersonAnnotation(1, a), PersonAnnotation(2, b, numKeypoints: 0) with { Bbox = new CocoBox(290, 190, 60, 100) });
        var dets = new[] { new CocoDetection(1, 1, 0.9, Keypoints: Person(300, 200)), new CocoDetection(1, 1, 0.8, Keypoints: a) };
        CocoEvalResult r = CocoEvaluator.Evaluate(gt, dets, CocoIouType.Keypoints);

        // One true positive: pycocotools' precision is 1 / (1 + eps), a hair below 1.
        Assert.Equal(1.0, r.Stats[0], 12);
    }

    [Fact]
    public void MismatchedKeypointCountIsAnError()
    {
        double[] a = Person(100, 100);
        CocoDataset gt = PersonGt(PersonAnnotation(1, a));
        Assert.Throws<ArgumentException>(() =>
            CocoEvaluator.Evaluate(gt, [new CocoDetection(1, 1, 0.7, Keypoints: a[..48])], CocoIouType.Keypoints));
    }
}
