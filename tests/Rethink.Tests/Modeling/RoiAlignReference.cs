namespace Rethink.Tests.Modeling;

/// <summary>
/// A brute-force RoIAlign written straight from the definition (torchvision's CPU kernel, one sample at a time, in
/// double): for each output bin, the list of (batch, y, x, weight) input cells it averages. Forward and backward both
/// follow from that list.
/// </summary>
public static class RoiAlignReference
{
    public static List<(int b, int y, int x, double w)>[,,] Contributions(double[,] rois, int height, int width,
        int outH, int outW, double scale, int samplingRatio, bool aligned)
    {
        int k = rois.GetLength(0);
        var result = new List<(int, int, int, double)>[k, outH, outW];
        for (int r = 0; r < k; r++)
        {
            int b = (int)rois[r, 0];
            double offset = aligned ? 0.5 : 0;
            double x0 = rois[r, 1] * scale - offset, y0 = rois[r, 2] * scale - offset;
            double x1 = rois[r, 3] * scale - offset, y1 = rois[r, 4] * scale - offset;
            double rw = x1 - x0, rh = y1 - y0;
            if (!aligned) { rw = Math.Max(rw, 1); rh = Math.Max(rh, 1); }
            double bw = rw / outW, bh = rh / outH;
            int gh = samplingRatio > 0 ? samplingRatio : (int)Math.Ceiling(bh);
            int gw = samplingRatio > 0 ? samplingRatio : (int)Math.Ceiling(bw);
            double count = Math.Max(gh * gw, 1);
            for (int ph = 0; ph < outH; ph++)
            for (int pw = 0; pw < outW; pw++)
            {
                var list = new List<(int, int, int, double)>();
                for (int iy = 0; iy < gh; iy++)
                for (int ix = 0; ix < gw; ix++)
                {
                    double y = y0 + ph * bh + (iy + 0.5) * bh / gh;
                    double x = x0 + pw * bw + (ix + 0.5) * bw / gw;
                    if (y < -1.0 || y > height || x < -1.0 || x > width) continue;
                    if (y <= 0) y = 0;
                    if (x <= 0) x = 0;
                    int yl = (int)y, xl = (int)x, yh, xh;
                    if (yl >= height - 1) { yh = yl = height - 1; y = yl; } else yh = yl + 1;
                    if (xl >= width - 1) { xh = xl = width - 1; x = xl; } else xh = xl + 1;
                    double ly = y - yl, lx = x - xl, hy = 1 - ly, hx = 1 - lx;
                    list.Add((b, yl, xl, hy * hx / count));
                    list.Add((b, yl, xh, hy * lx / count));
                    list.Add((b, yh, xl, ly * hx / count));
                    list.Add((b, yh, xh, ly * lx / count));
                }
                result[r, ph, pw] = list;
            }
        }
        return result;
    }

    public static double[,,,] Forward(double[,,,] input, List<(int b, int y, int x, double w)>[,,] contributions)
    {
        int k = contributions.GetLength(0), oh = contributions.GetLength(1), ow = contributions.GetLength(2), c = input.GetLength(1);
        var output = new double[k, c, oh, ow];
        for (int r = 0; r < k; r++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
            foreach (var (b, y, x, w) in contributions[r, i, j]) output[r, ch, i, j] += w * input[b, ch, y, x];
        return output;
    }

    public static double[,,,] Backward(int[] inputShape, double[,,,] upstream, List<(int b, int y, int x, double w)>[,,] contributions)
    {
        var grad = new double[inputShape[0], inputShape[1], inputShape[2], inputShape[3]];
        int k = contributions.GetLength(0), oh = contributions.GetLength(1), ow = contributions.GetLength(2);
        for (int r = 0; r < k; r++)
        for (int ch = 0; ch < inputShape[1]; ch++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
            foreach (var (b, y, x, w) in contributions[r, i, j]) grad[b, ch, y, x] += w * upstream[r, ch, i, j];
        return grad;
    }
}
