using System;
using Xunit;

namespace DslNet.Tests.Support;

/// <summary>
/// Central finite differences in double precision. A kernel test writes an independent double
/// reference of the forward function (a naive loop), differentiates it here, and compares the float
/// kernel's forward and backward against it. The scalar being differentiated is
/// L = Σ y · r with a fixed random projection r, so every output element matters.
/// </summary>
public static class GradientCheck
{
    /// <summary>∂(Σ f(x)·r)/∂x by central differences of the double function <paramref name="f"/>.</summary>
    public static double[] Numerical(Func<double[], double[]> f, double[] x, double[] projection, double step = 1e-6)
    {
        var grad = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + step;
            double plus = Dot(f(probe), projection);
            probe[i] = x[i] - step;
            double minus = Dot(f(probe), projection);
            probe[i] = x[i];
            grad[i] = (plus - minus) / (2 * step);
        }
        return grad;
    }

    public static double Dot(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ tolerance · max(1, ‖expected‖∞) element-wise, reporting the first
    /// offending index. Scaling by the largest magnitude keeps near-zero entries from failing on
    /// float rounding while still catching any wrong entry.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values where {expected.Length} were expected.");
        double scale = 1;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= tolerance * scale && !float.IsNaN(actual[i]),
                $"{what}[{i}]: expected {expected[i]:G9}, got {actual[i]:G9} (|err| {err:G3} > {tolerance * scale:G3}).");
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        var asFloat = new float[actual.Length];
        for (int i = 0; i < actual.Length; i++) asFloat[i] = (float)actual[i];
        AssertClose(expected, asFloat, tolerance, what);
    }

    public static double[] RandomArray(Random random, int length, double scale = 1.0)
    {
        var a = new double[length];
        for (int i = 0; i < a.Length; i++) a[i] = (random.NextDouble() * 2 - 1) * scale;
        return a;
    }

    public static float[] ToFloat(double[] a) => Array.ConvertAll(a, v => (float)v);

    /// <summary>The float values rounded back to double: the reference then sees exactly the kernel's input.</summary>
    public static double[] Rounded(double[] a) => Array.ConvertAll(a, v => (double)(float)v);
}
