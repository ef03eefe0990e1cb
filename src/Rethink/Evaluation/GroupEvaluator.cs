using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Evaluation;

/// <summary>
/// computeIoU/computeOks and evaluateImg for one (image, category): sorts the detections by score (stable),
/// keeps the top maxDets[-1], computes their overlap with every ground truth once, then matches per area range.
/// Safe to call for different groups in parallel; temporary arrays are per thread and reused.
/// </summary>
internal sealed class GroupEvaluator
{
    [ThreadStatic]
    private static GroupScratch? t_scratch;

    private readonly EvaluationPlan _plan;
    private readonly double[] _iouThresholds;
    private readonly AreaRange[] _areaRanges;
    private readonly int _maxDet;
    private readonly IReadOnlyList<double> _sigmas;
    private readonly double[] _scores;

    public GroupEvaluator(EvaluationPlan plan)
    {
        _plan = plan;
        CocoEvalParams p = plan.Params;
        _iouThresholds = p.IouThresholds.ToArray();
        _areaRanges = p.AreaRanges.ToArray();
        _maxDet = p.MaxDets.Max();
        _sigmas = p.KeypointSigmas;
        _scores = plan.Detections.Select(d => d.Score).ToArray();
    }

    public GroupEvaluation? Evaluate(int imageIndex, int categoryIndex)
    {
        int group = (imageIndex * _plan.CategoryCount) + categoryIndex;
        ReadOnlySpan<int> gts = _plan.GtItems.AsSpan(_plan.GtStart[group], _plan.GtStart[group + 1] - _plan.GtStart[group]);
        ReadOnlySpan<int> allDts = _plan.DtItems.AsSpan(_plan.DtStart[group], _plan.DtStart[group + 1] - _plan.DtStart[group]);
        if (gts.Length == 0 && allDts.Length == 0)
        {
            return null;
        }

        CocoImage image = _plan.Images[imageIndex]!;
        int g = gts.Length;
        GroupScratch s = t_scratch ??= new GroupScratch();
        s.Ensure(g, allDts.Length);

        // Highest score first, ties in file order (numpy's stable mergesort), cut to maxDets[-1].
        Span<int> sorted = s.Detections.AsSpan(0, allDts.Length);
        allDts.CopyTo(sorted);
        sorted.Sort(new DescendingScore(_scores));
        ReadOnlySpan<int> dts = sorted[..Math.Min(sorted.Length, _maxDet)];
        int d = dts.Length;

        for (int j = 0; j < g; j++)
        {
            CocoAnnotation a = _plan.GroundTruth[gts[j]];
            s.GtArea[j] = a.Area;
            s.GtCrowd[j] = a.IsCrowd;
            s.GtId[j] = a.Id;
            s.GtIgnore[j] = BaseIgnore(a);
        }

        var scores = new double[d];
        for (int i = 0; i < d; i++)
        {
            scores[i] = _scores[dts[i]];
        }

        Span<double> ious = s.Ious.AsSpan(0, d * g);
        Span<double> dtArea = s.DtArea.AsSpan(0, d);
        ComputeOverlaps(gts, dts, image, s, ious, dtArea);

        int areas = _areaRanges.Length, size = _iouThresholds.Length * d;
        var counted = new int[areas];
        var outcomes = new byte[areas * size];
        for (int a = 0; a < areas; a++)
        {
            counted[a] = ImageMatcher.Match(
                ious, s.GtIgnore.AsSpan(0, g), s.GtArea.AsSpan(0, g), s.GtCrowd.AsSpan(0, g), s.GtId.AsSpan(0, g), dtArea,
                _areaRanges[a], _iouThresholds, outcomes.AsSpan(a * size, size));
        }

        return new GroupEvaluation(scores, counted, outcomes, _iouThresholds.Length);
    }

    /// <summary>
    /// pycocotools sets ignore = iscrowd in _prepare (discarding any "ignore" field unless asked to honour it);
    /// for keypoints, ground truths without labelled keypoints are ignored too.
    /// </summary>
    private bool BaseIgnore(CocoAnnotation a)
    {
        bool ignore = a.IsCrowd || (_plan.Params.HonorIgnoreFlag && a.Ignore == true);
        if (_plan.Params.IouType == CocoIouType.Keypoints)
        {
            ignore |= NumKeypoints(a) == 0;
        }

        return ignore;
    }

    private static int NumKeypoints(CocoAnnotation a)
    {
        if (a.NumKeypoints is int n)
        {
            return n;
        }

        int visible = 0;
        if (a.Keypoints is { } k)
        {
            for (int j = 2; j < k.Count; j += 3)
            {
                if (k[j] > 0)
                {
                    visible++;
                }
            }
        }

        return visible;
    }

    /// <summary>Overlap of kept detection i with ground truth j at [i * G + j]; also fills the detections' areas.</summary>
    private void ComputeOverlaps(ReadOnlySpan<int> gts, ReadOnlySpan<int> dts, CocoImage image, GroupScratch s, Span<double> ious, Span<double> dtArea)
    {
        int g = gts.Length, d = dts.Length;
        ResultBranch branch = _plan.Branch;
        switch (_plan.Params.IouType)
        {
            case CocoIouType.Bbox:
            {
                for (int j = 0; j < g; j++)
                {
                    s.GtBoxes[j] = _plan.GroundTruth[gts[j]].Bbox;
                }

                for (int i = 0; i < d; i++)
                {
                    CocoDetection det = _plan.Detections[dts[i]];
                    CocoBox box = DetectionGeometry.Box(det, dts[i], branch, image);
                    dtArea[i] = branch == ResultBranch.Bbox ? box.Area : DetectionGeometry.Area(det, dts[i], branch, image);
                    for (int j = 0; j < g; j++)
                    {
                        ious[(i * g) + j] = BoxIou.Pair(box, s.GtBoxes[j], s.GtCrowd[j]);
                    }
                }

                break;
            }

            case CocoIouType.Segm:
            {
                for (int j = 0; j < g; j++)
                {
                    CocoAnnotation a = _plan.GroundTruth[gts[j]];
                    CocoSegmentation segmentation = a.Segmentation
                        ?? throw new ArgumentException($"annotation id {a.Id} (image {a.ImageId}) has no segmentation, needed for segm evaluation");
                    s.GtMasks[j] = SegmentationRle.ToRle(segmentation, image.Height, image.Width);
                    s.GtFacts[j] = MaskFacts.Of(s.GtMasks[j]);
                }

                for (int i = 0; i < d; i++)
                {
                    CocoDetection det = _plan.Detections[dts[i]];
                    ReadOnlySpan<uint> mask = DetectionMasks.Counts(det, dts[i], branch, image, out int height, out int width);
                    var facts = MaskFacts.Of(mask, height, width);
                    dtArea[i] = DetectionGeometry.Area(det, dts[i], branch, image, facts.Area);
                    for (int j = 0; j < g; j++)
                    {
                        ious[(i * g) + j] = MaskIou.Pair(mask, facts, s.GtMasks[j].CountsArray, s.GtFacts[j], s.GtCrowd[j]);
                    }
                }

                Array.Clear(s.GtMasks, 0, g);
                break;
            }

            default:
            {
                Span<double> scratch = stackalloc double[_sigmas.Count];
                for (int i = 0; i < d; i++)
                {
                    CocoDetection det = _plan.Detections[dts[i]];
                    dtArea[i] = DetectionGeometry.Area(det, dts[i], branch, image);
                    for (int j = 0; j < g; j++)
                    {
                        CocoAnnotation a = _plan.GroundTruth[gts[j]];
                        IReadOnlyList<double> gtKeypoints = a.Keypoints
                            ?? throw new ArgumentException($"annotation id {a.Id} (image {a.ImageId}) has no keypoints, needed for keypoint evaluation");
                        IReadOnlyList<double> dtKeypoints = det.Keypoints
                            ?? throw new ArgumentException($"result {dts[i]} (image {det.ImageId}) has no keypoints, needed for keypoint evaluation");
                        ious[(i * g) + j] = KeypointOks.Compute(dtKeypoints, gtKeypoints, a.Bbox, a.Area, _sigmas, scratch);
                    }
                }

                break;
            }
        }
    }

    /// <summary>Higher score first; equal scores keep file order, which makes the unstable sort stable.</summary>
    private readonly struct DescendingScore(double[] scores) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            double sx = scores[x], sy = scores[y];
            if (sx > sy)
            {
                return -1;
            }

            if (sx < sy)
            {
                return 1;
            }

            return x.CompareTo(y);
        }
    }
}
