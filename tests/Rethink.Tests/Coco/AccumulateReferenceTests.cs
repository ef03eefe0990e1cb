using Rethink.Data.Coco;
using Rethink.Evaluation;
using Xunit;

namespace Rethink.Tests.Coco;

/// <summary>
/// The optimised accumulate against a line-by-line port of pycocotools' accumulate (dense rc/pr arrays, the
/// envelope loop, searchsorted with side='left', the IndexError cut-off): every array entry must be identical.
/// </summary>
public class AccumulateReferenceTests
{
    public static TheoryData<string, string> FixtureCases() => CocoEvalReferenceTests.Cases();

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void MatchesLiteralPortOnReferenceCases(string caseName, string iouType)
    {
        CocoDataset gt = CocoFile.Load(FixturePaths.Of("coco-eval", caseName, "gt.json"));
        var dets = CocoResultsFile.Load(FixturePaths.Of("coco-eval", caseName, $"dets_{iouType}.json"), gt).Detections;
        Compare(gt, dets, iouType == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatchesLiteralPortOnRandomCasesWithTies(int seed)
    {
        (CocoDataset gt, List<CocoDetection> boxes, List<CocoDetection> masks) = RandomCases.Make(seed);
        Compare(gt, boxes, CocoIouType.Bbox);
        Compare(gt, masks, CocoIouType.Segm);
    }

    private static void Compare(CocoDataset gt, IReadOnlyList<CocoDetection> dets, CocoIouType type)
    {
        CocoEvalParams p = CocoEvalParams.For(type);
        EvaluationPlan plan = EvaluationPlan.Build(gt, dets, p);
        var evaluator = new GroupEvaluator(plan);
        var groups = new GroupEvaluation?[plan.ImageCount * plan.CategoryCount];
        for (int i = 0; i < plan.ImageCount; i++)
        {
            for (int k = 0; k < plan.CategoryCount; k++)
            {
                groups[(i * plan.CategoryCount) + k] = evaluator.Evaluate(i, k);
            }
        }

        PrecisionAccumulator.Arrays fast = PrecisionAccumulator.Accumulate(groups, plan.ImageCount, plan.CategoryCount, p, parallel: false);
        PrecisionAccumulator.Arrays literal = LiteralAccumulate(groups, plan.ImageCount, plan.CategoryCount, p);
        Assert.Equal(literal.Precision.Cast<double>(), fast.Precision.Cast<double>());
        Assert.Equal(literal.Recall.Cast<double>(), fast.Recall.Cast<double>());
        Assert.Equal(literal.Scores.Cast<double>(), fast.Scores.Cast<double>());
    }

    private static PrecisionAccumulator.Arrays LiteralAccumulate(GroupEvaluation?[] groups, int imageCount, int categoryCount, CocoEvalParams p)
    {
        int T = p.IouThresholds.Count, R = p.RecallThresholds.Count, K = categoryCount, A = p.AreaRanges.Count, M = p.MaxDets.Count;
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        var scores = new double[T, R, K, A, M];
        foreach (int t in Enumerable.Range(0, T))
        {
            foreach (int k in Enumerable.Range(0, K))
            {
                foreach (int a in Enumerable.Range(0, A))
                {
                    foreach (int m in Enumerable.Range(0, M))
                    {
                        recall[t, k, a, m] = -1;
                        foreach (int r in Enumerable.Range(0, R))
                        {
                            precision[t, r, k, a, m] = -1;
                            scores[t, r, k, a, m] = -1;
                        }
                    }
                }
            }
        }

        for (int k = 0; k < K; k++)
        {
            for (int a = 0; a < A; a++)
            {
                for (int m = 0; m < M; m++)
                {
                    int maxDet = p.MaxDets[m];
                    var E = Enumerable.Range(0, imageCount).Select(i => groups[(i * K) + k]).Where(e => e is not null).Select(e => e!).ToList();
                    if (E.Count == 0)
                    {
                        continue;
                    }

                    // (score, outcome per threshold) in concatenation order, then numpy's stable sort of -score.
                    var entries = E.SelectMany(e => Enumerable.Range(0, Math.Min(maxDet, e.Scores.Length))
                        .Select(d => (Score: e.Scores[d], Outcome: Enumerable.Range(0, T).Select(t => e.OutcomesOf(a)[(t * e.Scores.Length) + d]).ToArray())))
                        .ToList();
                    var sorted = entries.Select((x, i) => (x, i)).OrderBy(x => -x.x.Score).ThenBy(x => x.i).Select(x => x.x).ToList();
                    int npig = E.Sum(e => e.CountedGroundTruths[a]);
                    if (npig == 0)
                    {
                        continue;
                    }

                    for (int t = 0; t < T; t++)
                    {
                        int nd = sorted.Count;
                        var rc = new double[nd];
                        var pr = new double[nd];
                        double tpSum = 0, fpSum = 0;
                        for (int j = 0; j < nd; j++)
                        {
                            byte o = sorted[j].Outcome[t];
                            tpSum += o == GroupEvaluation.TruePositive ? 1 : 0;
                            fpSum += o == GroupEvaluation.FalsePositive ? 1 : 0;
                            rc[j] = tpSum / npig;
                            pr[j] = tpSum / (fpSum + tpSum + 2.220446049250313e-16);
                        }

                        recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--)
                        {
                            if (pr[i] > pr[i - 1])
                            {
                                pr[i - 1] = pr[i];
                            }
                        }

                        var q = new double[R];
                        var ss = new double[R];
                        for (int ri = 0; ri < R; ri++)
                        {
                            int pi = 0;
                            while (pi < nd && rc[pi] < p.RecallThresholds[ri])
                            {
                                pi++;
                            }

                            if (pi >= nd)
                            {
                                break;
                            }

                            q[ri] = pr[pi];
                            ss[ri] = sorted[pi].Score;
                        }

                        for (int ri = 0; ri < R; ri++)
                        {
                            precision[t, ri, k, a, m] = q[ri];
                            scores[t, ri, k, a, m] = ss[ri];
                        }
                    }
                }
            }
        }

        return new PrecisionAccumulator.Arrays(precision, recall, scores);
    }
}
