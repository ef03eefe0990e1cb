namespace Rethink.Evaluation;

/// <summary>
/// Object keypoint similarity as pycocotools' computeOks: per keypoint exp(-d^2 / (2 s^2 (area + eps)))
/// with s = 2 sigma, averaged over the ground truth's labelled keypoints. A ground truth without labelled
/// keypoints is compared by the detection's distance outside its box grown by one box size each way.
/// </summary>
internal static class KeypointOks
{
    private const double Eps = 2.220446049250313e-16; // np.spacing(1)

    /// <summary>OKS of one detection with one ground truth (flat x, y, v lists of equal length).</summary>
    public static double Compute(
        IReadOnlyList<double> detection,
        IReadOnlyList<double> groundTruth,
        Rethink.Data.Coco.CocoBox groundTruthBox,
        double groundTruthArea,
        IReadOnlyList<double> sigmas,
        Span<double> scratch)
    {
        int k = sigmas.Count;
        if (detection.Count != 3 * k || groundTruth.Count != 3 * k)
        {
            throw new ArgumentException(
                $"keypoint lists must hold {k} triples (one per sigma); got {detection.Count / 3} (detection) and {groundTruth.Count / 3} (ground truth)");
        }

        int visible = 0;
        for (int j = 0; j < k; j++)
        {
            if (groundTruth[(3 * j) + 2] > 0)
            {
                visible++;
            }
        }

        CocoBoxBounds bounds = new(groundTruthBox);
        int n = 0;
        for (int j = 0; j < k; j++)
        {
            double xd = detection[3 * j], yd = detection[(3 * j) + 1];
            double dx, dy;
            if (visible > 0)
            {
                if (!(groundTruth[(3 * j) + 2] > 0))
                {
                    continue;
                }

                dx = xd - groundTruth[3 * j];
                dy = yd - groundTruth[(3 * j) + 1];
            }
            else
            {
                dx = Math.Max(0, bounds.X0 - xd) + Math.Max(0, xd - bounds.X1);
                dy = Math.Max(0, bounds.Y0 - yd) + Math.Max(0, yd - bounds.Y1);
            }

            double twoSigma = sigmas[j] * 2;
            double variance = twoSigma * twoSigma;
            double e = (((dx * dx) + (dy * dy)) / variance) / (groundTruthArea + Eps) / 2;
            scratch[n++] = Math.Exp(-e);
        }

        return NumpySemantics.Sum(scratch[..n]) / n;
    }

    /// <summary>The ground truth box doubled around itself: [x - w, x + 2w] by [y - h, y + 2h].</summary>
    private readonly struct CocoBoxBounds(Rethink.Data.Coco.CocoBox b)
    {
        public double X0 { get; } = b.X - b.Width;

        public double X1 { get; } = b.X + (b.Width * 2);

        public double Y0 { get; } = b.Y - b.Height;

        public double Y1 { get; } = b.Y + (b.Height * 2);
    }
}
