namespace Rethink.Evaluation;

/// <summary>
/// The few numpy behaviours COCOeval's numbers depend on, reproduced bit for bit: linspace's arithmetic and
/// the pairwise summation behind np.sum / np.mean.
/// </summary>
internal static class NumpySemantics
{
    /// <summary>np.linspace(start, stop, num) with endpoint=True: start + i*step, and the last value exactly stop.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0)
        {
            double step = delta / div;
            for (int i = 0; i < num; i++)
            {
                y[i] = step == 0 ? (i / (double)div * delta) + start : (i * step) + start;
            }

            y[num - 1] = stop;
        }
        else if (num == 1)
        {
            y[0] = start;
        }

        return y;
    }

    /// <summary>np.add.reduce over a contiguous float64 array: 0 + numpy's pairwise sum (8-way unrolled blocks of 128).</summary>
    public static double Sum(ReadOnlySpan<double> values) => 0.0 + PairwiseSum(values);

    /// <summary>np.mean: the numpy sum divided by the count.</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }
}
