using System;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Kernels;
using DslNet.Tests.Parity;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>
/// Awkward sizes (rows of 14, a 5×7 pool output; the DSL rejects pools that leave rows out, the kernel
/// tests cover those), smooth activations so that finite differences stay away from kinks; C2 is read
/// by P alone, so P's backward writes C2's gradient.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class OddPoolCnn
{
    [Input(1, 10, 14)]                              public partial Tensor Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), Tanh]      public partial Tensor C1 { get; }
    [Conv2D(5, Kernel = 3, Padding = 1), Sigmoid]   public partial Tensor C2 { get; }
    [MaxPool2D(2)]                                  public partial Tensor P { get; }
    [Flatten, Dense(3)]                             public partial Tensor Logits { get; }
}

/// <summary>
/// Networks whose max pools form the pre-activation gradient of the convolution before them (the
/// generator's Fusion.FuseMaxPoolBackward): the whole backward against finite differences, and a
/// training step, which does not zero those gradients first, against the public Backward, which zeroes
/// everything.
/// </summary>
public class PoolFusedBackwardTests
{
    [Fact]
    public void The_generated_code_takes_the_fused_path()
    {
        ActivationSlot[] SlotsOf(Network net, params string[] nodes) =>
            nodes.Select(name => net.Layout.Nodes.Single(n => n.Name == name).Slot).ToArray();
        var odd = new OddPoolCnn(1);
        // C1 and S2 (LeNet), Conv1 (Keras) are overwritten by the convolution that alone reads them,
        // P, S4, F5, F6 and Pool, Hidden by the dense layer that alone reads them.
        Assert.Equal(SlotsOf(odd, "C1", "C2", "P"), odd.Layout.OverwrittenGradients);
        var lenet = new PLeNet5(1);
        Assert.Equal(SlotsOf(lenet, "C1", "S2", "C3", "S4", "F5", "F6"), lenet.Layout.OverwrittenGradients);
        var keras = new SmallKerasCnn(1);
        Assert.Equal(SlotsOf(keras, "Conv1", "Conv2", "Pool", "Hidden"), keras.Layout.OverwrittenGradients);
    }

    /// <summary>
    /// Central differences of L = Σ logits · r. A step that moves a window's maximum to another element
    /// crosses a kink of the max, where a difference quotient is no derivative: such entries (checked
    /// from C2's values at each evaluation) are left out, and there must be few of them.
    /// </summary>
    [Fact]
    public void Backward_of_a_cnn_with_a_fused_max_pool_matches_finite_differences()
    {
        const int batch = 3;
        var random = new Random(7);
        var net = new OddPoolCnn(maxBatch: batch, seed: 2);
        var pool = (Pool2DGeometry)net.Layout.Ops!.Single(o => o.Kind == OpKind.MaxPool2D).Geometry!;
        float[] x = GradientCheck.ToFloat(GradientCheck.RandomArray(random, batch * OddPoolCnn.Shapes.ImageSize));
        double[] projection = GradientCheck.RandomArray(random, batch * OddPoolCnn.Shapes.LogitsSize);
        int[]? winners = null;
        double Loss()
        {
            double loss = GradientCheck.Dot(Array.ConvertAll(net.Forward(x).ToArray(), v => (double)v), projection);
            var now = PoolingKernelTests.FirstMaxIndices(pool, batch, net.C2.ToArray());
            winners ??= now;
            return winners.SequenceEqual(now) ? loss : double.NaN;
        }

        Loss();
        float[] inputGradient = net.Backward(GradientCheck.ToFloat(projection)).ToArray();
        float[] parameterGradient = net.Parameters.Gradients!.View.Span.ToArray();

        const float step = 5e-3f;
        double Difference(Span<float> values, int i)
        {
            float original = values[i];
            values[i] = original + step; double plus = Loss();
            values[i] = original - step; double minus = Loss();
            values[i] = original;
            return (plus - minus) / (2.0 * step);
        }
        var parameters = net.Parameters.Values.View.Span;
        double[] numeric = new double[parameters.Length];
        for (int i = 0; i < parameters.Length; i++) numeric[i] = Difference(parameters, i);
        AssertGradient(numeric, parameterGradient, "parameters");
        double[] numericInput = new double[x.Length];
        for (int i = 0; i < x.Length; i++) numericInput[i] = Difference(x, i);
        AssertGradient(numericInput, inputGradient, "input");
    }

    /// <summary>Relative L2 error below 1e-3 and every entry within 2e-3 of the largest, over the entries with a difference quotient.</summary>
    private static void AssertGradient(double[] numeric, float[] analytic, string what)
    {
        var kept = Enumerable.Range(0, numeric.Length).Where(i => !double.IsNaN(numeric[i])).ToArray();
        Assert.True(kept.Length >= 0.95 * numeric.Length, $"{what}: {numeric.Length - kept.Length} of {numeric.Length} steps moved a window's maximum");
        double diff = 0, norm = 0, largest = kept.Max(i => Math.Abs(numeric[i]));
        foreach (int i in kept)
        {
            diff += (numeric[i] - analytic[i]) * (numeric[i] - analytic[i]);
            norm += numeric[i] * numeric[i];
        }
        Assert.True(Math.Sqrt(diff / norm) < 1e-3, $"{what}: relative L2 error {Math.Sqrt(diff / norm):E3} ≥ 1e-3");
        foreach (int i in kept)
            Assert.True(Math.Abs(numeric[i] - analytic[i]) <= 2e-3 * largest, $"{what}[{i}]: finite differences {numeric[i]:G6}, backward {analytic[i]:G6}");
    }

    public static TheoryData<string, int> Shapes => new()
    {
        { "odd", 1 }, { "odd", 2 }, { "lenet5", 1 }, { "lenet5", 2 }, { "keras", 1 }, { "keras", 2 },
    };

    private static Network Create(string name, int batch, Backend backend) => name switch
    {
        "odd" => new OddPoolCnn(batch, seed: 4, backend),
        "lenet5" => new PLeNet5(batch, seed: 4, backend),
        _ => new SmallKerasCnn(batch, seed: 4, backend),
    };

    /// <summary>
    /// A first step leaves its own gradients in every slot; the second step's parameter gradients must
    /// still equal those of Backward (which zeroes the whole gradient buffer first) at the same
    /// parameters, with the softmax cross-entropy gradient (softmax − one-hot) / batch formed here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_training_step_without_zeroing_the_overwritten_gradients_matches_Backward(string name, int threads)
    {
        const int batch = 6;
        using var backend = CpuTensors.NewCpu(threads);
        var net = Create(name, batch, backend);
        TrainingStepCheck.StepGradientsMatchBackward(net, backend, batch, new Random(name.Length), poisonGradients: false, $"{name}, {threads} threads");
    }
}
