using System;
using System.Linq;
using DslNet.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace DslNet.Tests.Networks;

/// <summary>
/// The generated forward and backward of a whole network (convolutions, BatchNorm in training mode,
/// a residual Add, pooling, Dense) against central finite differences of its own forward pass.
/// </summary>
public class NetworkGradientTests(ITestOutputHelper output)
{
    private const int Batch = 3;

    [Fact]
    public void Backward_of_a_residual_cnn_with_batchnorm_matches_finite_differences()
    {
        var random = new Random(11);
        var net = new ResidualCnn(maxBatch: Batch, seed: 5) { Training = true };
        float[] x = GradientCheck.ToFloat(GradientCheck.RandomArray(random, Batch * ResidualCnn.Shapes.ImageSize));
        double[] projection = GradientCheck.RandomArray(random, Batch * ResidualCnn.Shapes.LogitsSize);

        // L(θ, x) = Σ logits · r; its gradient w.r.t. the logits is r.
        double Loss() => GradientCheck.Dot(Array.ConvertAll(net.Forward(x).ToArray(), v => (double)v), projection);

        net.Forward(x);
        float[] inputGradient = net.Backward(GradientCheck.ToFloat(projection)).ToArray();
        float[] parameterGradient = net.Parameters.Gradients!.View.Span.ToArray();

        var parameters = net.Parameters.Values.View.Span;
        double[] numeric = new double[parameters.Length];
        const float step = 4e-3f;
        for (int i = 0; i < parameters.Length; i++)
        {
            float original = parameters[i];
            parameters[i] = original + step; double plus = Loss();
            parameters[i] = original - step; double minus = Loss();
            parameters[i] = original;
            numeric[i] = (plus - minus) / (2.0 * step);
        }
        AssertGradient(numeric, parameterGradient, "parameters");

        double[] numericInput = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            float original = x[i];
            x[i] = original + step; double plus = Loss();
            x[i] = original - step; double minus = Loss();
            x[i] = original;
            numericInput[i] = (plus - minus) / (2.0 * step);
        }
        AssertGradient(numericInput, inputGradient, "input");
    }

    /// <summary>
    /// Float32 finite differences carry rounding noise of ~1e-5 per entry, so the gradient is compared
    /// as a whole (relative L2 error below 1e-3) and entry by entry against the largest entry.
    /// </summary>
    private void AssertGradient(double[] numeric, float[] analytic, string what)
    {
        Assert.Equal(numeric.Length, analytic.Length);
        double diff = 0, norm = 0, largest = numeric.Max(Math.Abs);
        for (int i = 0; i < numeric.Length; i++)
        {
            diff += (numeric[i] - analytic[i]) * (numeric[i] - analytic[i]);
            norm += numeric[i] * numeric[i];
        }
        double relative = Math.Sqrt(diff / norm);
        output.WriteLine($"{what}: {numeric.Length} entries, relative L2 error {relative:E2}");
        Assert.True(relative < 1e-3, $"{what}: relative L2 error {relative:E3} ≥ 1e-3");
        for (int i = 0; i < numeric.Length; i++)
            Assert.True(Math.Abs(numeric[i] - analytic[i]) <= 2e-3 * largest,
                $"{what}[{i}]: finite differences {numeric[i]:G6}, backward {analytic[i]:G6}");
    }
}
