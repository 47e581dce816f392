using System;
using System.Collections.Generic;

namespace DslNet.Reporting;

/// <summary>
/// "Nice" axis ranges and tick positions (1, 2 or 5 times a power of ten, as in Heckbert's
/// "Nice numbers for graph labels", Graphics Gems 1990): the range is widened to whole steps so that
/// the first and last ticks sit on the axis ends.
/// </summary>
public readonly record struct AxisTicks(double Minimum, double Maximum, double Step)
{
    /// <summary>Ticks for data in [<paramref name="low"/>, <paramref name="high"/>], about <paramref name="count"/> of them.</summary>
    public static AxisTicks For(double low, double high, int count = 5, bool integers = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) throw new ArgumentException($"An axis needs finite limits, not [{low}, {high}].");
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "An axis needs at least two ticks.");
        if (high < low) (low, high) = (high, low);
        if (high == low)
        {
            // One value: a small range around it (a unit range for zero or for integers).
            double pad = integers || low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - pad, high + pad);
        }
        double step = Nice((high - low) / (count - 1), round: true);
        if (integers) step = Math.Max(1, Math.Round(step));
        double minimum = Math.Floor(low / step) * step;
        double maximum = Math.Ceiling(high / step) * step;
        return new AxisTicks(minimum, maximum, step);
    }

    /// <summary>The tick values from Minimum to Maximum.</summary>
    public IReadOnlyList<double> Values
    {
        get
        {
            var values = new List<double>();
            int n = (int)Math.Round((Maximum - Minimum) / Step);
            for (int i = 0; i <= n; i++)
            {
                double v = Minimum + i * Step;
                values.Add(Math.Abs(v) < Step * 1e-9 ? 0 : v); // no "-0" or 1e-17 labels
            }
            return values;
        }
    }

    /// <summary>Decimals needed to print every tick distinctly.</summary>
    public int Decimals => Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + 1e-9));

    /// <summary>The nice number (1, 2, 5 × 10^k) nearest to <paramref name="x"/> (rounded) or not below it.</summary>
    private static double Nice(double x, bool round)
    {
        double exponent = Math.Floor(Math.Log10(x));
        double fraction = x / Math.Pow(10, exponent);
        double nice = round
            ? fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
            : fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}
