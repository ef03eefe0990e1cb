using System.Globalization;
using System.Numerics;

namespace Rethink.Evaluation;

/// <summary>
/// Python's "{:0.3f}"-style fixed-point formatting: the exact binary value rounded half to even, and "-0.000"
/// for small negatives, which .NET's "F3" does not reproduce in every case.
/// </summary>
internal static class PythonFormat
{
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        bool negative = double.IsNegative(value);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = exponent == 0 ? fraction : fraction | (1L << 52);
        int power = (exponent == 0 ? 1 : exponent) - 1075; // value = mantissa * 2^power

        // scaled = value * 10^decimals, rounded half to even.
        BigInteger numerator = mantissa * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (power >= 0)
        {
            rounded = numerator << power;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -power;
            rounded = BigInteger.DivRem(numerator, denominator, out BigInteger remainder);
            int half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !rounded.IsEven))
            {
                rounded += 1;
            }
        }

        string digits = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        return negative ? "-" + text : text;
    }
}
