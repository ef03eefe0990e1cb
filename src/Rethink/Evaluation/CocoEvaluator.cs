using Rethink.Runtime;
using Rethink.Data.Coco;

namespace Rethink.Evaluation;

/// <summary>
/// COCO evaluation with pycocotools COCOeval semantics (evaluate, accumulate, summarize) for boxes, masks and
/// keypoints. Detections are treated as pycocotools' loadRes would (ids index+1, areas by its rules).
/// Work is split over images and categories in parallel; results do not depend on the split.
/// </summary>
public static class CocoEvaluator
{
    /// <param name="groundTruth">The ground truth (e.g. from <see cref="CocoFile.Load"/>).</param>
    /// <param name="detections">Results in file order (e.g. <see cref="CocoResults.Detections"/>).</param>
    /// <param name="iouType">bbox, segm or keypoints.</param>
    /// <param name="parameters">Defaults to <see cref="CocoEvalParams.For"/>(iouType).</param>
    /// <param name="parallel">Use all cores (results are identical either way).</param>
    public static CocoEvalResult Evaluate(
        CocoDataset groundTruth,
        IReadOnlyList<CocoDetection> detections,
        CocoIouType iouType,
        CocoEvalParams? parameters = null,
        bool parallel = true)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        CocoEvalParams p = parameters ?? CocoEvalParams.For(iouType);
        if (p.IouType != iouType)
        {
            throw new ArgumentException($"parameters are for {p.IouType} but evaluation is {iouType}", nameof(parameters));
        }

        for (int d = 0; d < detections.Count; d++)
        {
            if (!double.IsFinite(detections[d].Score))
            {
                throw new ArgumentException($"result {d} has score {detections[d].Score}; scores must be finite", nameof(detections));
            }
        }

        EvaluationPlan plan = EvaluationPlan.Build(groundTruth, detections, p);
        GroupEvaluation?[] groups = EvaluateGroups(plan, parallel);
        PrecisionAccumulator.Arrays arrays = PrecisionAccumulator.Accumulate(groups, plan.ImageCount, plan.CategoryCount, p, parallel);
        (double[] stats, string[] lines) = CocoSummarizer.Summarize(arrays, p);

        var names = groundTruth.Categories.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        var perCategory = new CategoryAp[plan.CategoryCount];
        for (int k = 0; k < plan.CategoryCount; k++)
        {
            long id = plan.CategoryIds[k];
            perCategory[k] = new CategoryAp(id, names.GetValueOrDefault(id, id.ToString(System.Globalization.CultureInfo.InvariantCulture)), CocoSummarizer.CategoryAp(arrays, p, k));
        }

        return new CocoEvalResult(p, plan.ImageIds, plan.CategoryIds, stats, lines, perCategory, arrays);
    }

    /// <summary>evaluateImg for every (image, category) with something in it, one image per work item.</summary>
    private static GroupEvaluation?[] EvaluateGroups(EvaluationPlan plan, bool parallel)
    {
        var evaluator = new GroupEvaluator(plan);
        int categories = plan.CategoryCount;
        var groups = new GroupEvaluation?[plan.ImageCount * categories];
        void Image(int i)
        {
            for (int k = 0; k < categories; k++)
            {
                groups[(i * categories) + k] = evaluator.Evaluate(i, k);
            }
        }

        ParallelWork.For(plan.ImageCount, ParallelWork.Cores(parallel), Image);

        return groups;
    }
}
