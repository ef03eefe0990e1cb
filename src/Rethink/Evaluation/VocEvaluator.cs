using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Evaluation;

/// <summary>
/// PASCAL VOC detection AP (as the reference voc_eval): per category, detections in descending score order each
/// take the ground-truth box of their image with the highest IoU; above the threshold that is a true positive
/// unless already taken (then a false positive) or difficult (then neither). Boxes use COCO's continuous
/// [x, y, w, h] coordinates, without VOC's +1 pixel convention.
/// </summary>
public static class VocEvaluator
{
    private const double Eps = 2.220446049250313e-16; // np.finfo(np.float64).eps

    public static VocResult Evaluate(CocoDataset groundTruth, IReadOnlyList<CocoDetection> detections, VocOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        VocOptions o = options ?? new VocOptions();
        var results = new List<VocCategoryResult>();
        foreach (CocoCategory category in groundTruth.Categories.OrderBy(c => c.Id))
        {
            results.Add(EvaluateCategory(groundTruth, detections, category, o));
        }

        double[] measured = results.Where(r => r.Positives > 0).Select(r => r.AveragePrecision).ToArray();
        double mean = measured.Length == 0 ? -1 : measured.Sum() / measured.Length;
        return new VocResult(mean, results);
    }

    private static VocCategoryResult EvaluateCategory(CocoDataset groundTruth, IReadOnlyList<CocoDetection> detections, CocoCategory category, VocOptions o)
    {
        var byImage = new Dictionary<long, List<(CocoBox Box, bool Difficult)>>();
        int positives = 0;
        foreach (CocoAnnotation a in groundTruth.Annotations)
        {
            if (a.CategoryId != category.Id)
            {
                continue;
            }

            bool difficult = a.Ignore == true || (o.CrowdIsDifficult && a.IsCrowd);
            if (!byImage.TryGetValue(a.ImageId, out List<(CocoBox, bool)>? list))
            {
                byImage[a.ImageId] = list = [];
            }

            list.Add((a.Bbox, difficult));
            positives += difficult ? 0 : 1;
        }

        // Stable descending score order (ties keep file order).
        CocoDetection[] sorted = detections.Where(d => d.CategoryId == category.Id)
            .Select((d, i) => (d, i)).OrderByDescending(p => p.d.Score).ThenBy(p => p.i).Select(p => p.d).ToArray();
        var taken = byImage.ToDictionary(p => p.Key, p => new bool[p.Value.Count]);
        var recall = new double[sorted.Length];
        var precision = new double[sorted.Length];
        double tp = 0, fp = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            CocoDetection det = sorted[i];
            CocoBox box = det.Bbox ?? throw new ArgumentException($"VOC evaluation needs boxes; a result of image {det.ImageId} has none", nameof(detections));
            double best = double.NegativeInfinity;
            int bestIndex = -1;
            if (byImage.TryGetValue(det.ImageId, out List<(CocoBox Box, bool Difficult)>? gts))
            {
                for (int j = 0; j < gts.Count; j++)
                {
                    double iou = BoxIou.Pair(box, gts[j].Box);
                    if (iou > best)
                    {
                        best = iou;
                        bestIndex = j;
                    }
                }
            }

            if (bestIndex >= 0 && best > o.IouThreshold)
            {
                if (!gts![bestIndex].Difficult)
                {
                    bool[] used = taken[det.ImageId];
                    if (!used[bestIndex])
                    {
                        tp++;
                        used[bestIndex] = true;
                    }
                    else
                    {
                        fp++;
                    }
                }
            }
            else
            {
                fp++;
            }

            recall[i] = positives > 0 ? tp / positives : 0;
            precision[i] = tp / Math.Max(tp + fp, Eps);
        }

        double ap = positives == 0 ? -1 : o.UseVoc07ElevenPointMetric ? ElevenPointAp(recall, precision) : AllPointAp(recall, precision);
        return new VocCategoryResult(category.Id, category.Name, ap, positives, recall, precision);
    }

    /// <summary>VOC2010+: area under the precision envelope, summed where recall changes.</summary>
    internal static double AllPointAp(IReadOnlyList<double> recall, IReadOnlyList<double> precision)
    {
        int n = recall.Count;
        var mrec = new double[n + 2];
        var mpre = new double[n + 2];
        mrec[n + 1] = 1;
        for (int i = 0; i < n; i++)
        {
            mrec[i + 1] = recall[i];
            mpre[i + 1] = precision[i];
        }

        for (int i = mpre.Length - 1; i > 0; i--)
        {
            mpre[i - 1] = Math.Max(mpre[i - 1], mpre[i]);
        }

        double ap = 0;
        for (int i = 0; i + 1 < mrec.Length; i++)
        {
            if (mrec[i + 1] != mrec[i])
            {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }

        return ap;
    }

    /// <summary>VOC2007: mean of the best precision at recall >= 0, 0.1, ..., 1.</summary>
    internal static double ElevenPointAp(IReadOnlyList<double> recall, IReadOnlyList<double> precision)
    {
        double ap = 0;
        for (int step = 0; step <= 10; step++)
        {
            double t = step * 0.1;
            double best = 0;
            for (int i = 0; i < recall.Count; i++)
            {
                if (recall[i] >= t)
                {
                    best = Math.Max(best, precision[i]);
                }
            }

            ap += best / 11.0;
        }

        return ap;
    }
}
