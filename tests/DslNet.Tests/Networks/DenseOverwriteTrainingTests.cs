using System;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Kernels;
using DslNet.Tests.Parity;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>W1's MLP (784-512-256-10): its dense layers alone read the hidden layers.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class W1ShapedMlp
{
    [Input(784)]            public partial Tensor Pixels { get; }
    [Dense(512), ReLU]      public partial Tensor Hidden1 { get; }
    [Dense(256), ReLU]      public partial Tensor Hidden2 { get; }
    [Dense(10)]             public partial Tensor Logits { get; }
}

/// <summary>
/// W3's layers with fewer channels: the dense layer reads the pooled 16×14×14 = 3,136 features through
/// Flatten, and its dx = dz·W (128-deep, W 1.6 MB) takes the short-depth GEMM path.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class W3ShapedCnn
{
    [Input(1, 28, 28)]                          public partial Tensor Image { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), ReLU]  public partial Tensor Conv1 { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU] public partial Tensor Conv2 { get; }
    [MaxPool2D(2)]                              public partial Tensor Pool { get; }
    [Flatten, Dense(128), ReLU]                 public partial Tensor Hidden { get; }
    [Dense(10)]                                 public partial Tensor Logits { get; }
}

/// <summary>
/// Dense layers that write their input's gradient (as the only reader of it) and their weight and bias
/// gradients (as the only users of those tensors), so that a training step zeroes neither: the layouts
/// list them, and a training step on gradient buffers full of NaN gives the parameter gradients of the
/// public Backward, which zeroes everything first.
/// </summary>
public class DenseOverwriteTrainingTests
{
    private static ActivationSlot[] SlotsOf(Network net, params string[] nodes) =>
        nodes.Select(name => net.Layout.Nodes.Single(n => n.Name == name).Slot).ToArray();

    private static int[] TensorsOf(Network net, params string[] names) => names.Select(net.Parameters.IndexOf).ToArray();

    [Fact]
    public void The_layouts_list_the_gradients_the_dense_layers_write()
    {
        var mlp = new W1ShapedMlp(1);
        Assert.Equal(SlotsOf(mlp, "Hidden1", "Hidden2"), mlp.Layout.OverwrittenGradients);
        Assert.Equal(Enumerable.Range(0, 6), mlp.Layout.OverwrittenParameterGradients!);
        var cnn = new W3ShapedCnn(1);
        Assert.Equal(SlotsOf(cnn, "Conv1", "Conv2", "Pool", "Hidden"), cnn.Layout.OverwrittenGradients);
        Assert.Equal(TensorsOf(cnn, "Hidden.weight", "Hidden.bias", "Logits.weight", "Logits.bias"), cnn.Layout.OverwrittenParameterGradients!);
        var lenet = new PLeNet5(1);
        Assert.Equal(SlotsOf(lenet, "C1", "S2", "C3", "S4", "F5", "F6"), lenet.Layout.OverwrittenGradients);
        Assert.Equal(TensorsOf(lenet, "F5.weight", "F5.bias", "F6.weight", "F6.bias", "Logits.weight", "Logits.bias"),
            lenet.Layout.OverwrittenParameterGradients!);
    }

    public static TheoryData<string, int> Networks => new()
    {
        { "mlp", 1 }, { "mlp", 2 }, { "lenet5", 1 }, { "lenet5", 2 }, { "w3", 1 }, { "w3", 2 },
    };

    private static Network Create(string name, int batch, Backend backend) => name switch
    {
        "mlp" => new W1ShapedMlp(batch, seed: 3, backend),
        "lenet5" => new PLeNet5(batch, seed: 3, backend),
        _ => new W3ShapedCnn(batch, seed: 3, backend),
    };

    /// <summary>
    /// After a first step, NaN is written over every parameter gradient and every activation gradient:
    /// the second step must clear or overwrite whatever it reads, so its parameter gradients are finite
    /// and equal (to rounding of the loss gradient, formed here in double) those of Forward + Backward at
    /// the same parameters.
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void A_training_step_on_NaN_filled_gradients_matches_Backward(string name, int threads)
    {
        const int batch = 17;
        using var backend = CpuTensors.NewCpu(threads);
        var net = Create(name, batch, backend);
        TrainingStepCheck.StepGradientsMatchBackward(net, backend, batch, new Random(name.Length + threads), poisonGradients: true, $"{name}, {threads} threads");
    }

    [Fact]
    public void A_training_step_zeroes_only_the_parameter_gradients_nobody_overwrites()
    {
        var cnn = new W3ShapedCnn(1);
        var runs = cnn.Parameters.GradientRunsOutside(cnn.Layout.OverwrittenParameterGradients);
        // The convolutions' four tensors lie first and back to back: one run; the dense tensors after them are left out.
        int convolutions = Enumerable.Range(0, 4).Sum(i => cnn.Parameters.Specs[i].Length);
        Assert.Equal(new[] { (0, convolutions) }, runs);
    }

    [Fact]
    public void Parameter_gradient_runs_merge_neighbours_and_reject_unknown_tensors()
    {
        using var backend = CpuTensors.NewCpu();
        var set = new ParameterSet(backend, new[]
        {
            new ParameterSpec("a", new[] { 3 }, ParameterInit.Constant),
            new ParameterSpec("b", new[] { 4 }, ParameterInit.Constant),
            new ParameterSpec("c", new[] { 5 }, ParameterInit.Constant),
            new ParameterSpec("d", new[] { 6 }, ParameterInit.Constant),
        }, trainable: true);
        Assert.Equal(new[] { (0, 18) }, set.GradientRunsOutside(null));
        Assert.Equal(new[] { (0, 3), (12, 6) }, set.GradientRunsOutside(new[] { 2, 1 }));
        Assert.Empty(set.GradientRunsOutside(new[] { 0, 1, 2, 3 }));

        backend.Fill(set.Gradients!.View, float.NaN);
        set.ZeroGradients(set.GradientRunsOutside(new[] { 1 }));
        float[] g = set.Gradients.View.Span.ToArray();
        Assert.All(g.Take(3).Concat(g.Skip(7)), v => Assert.Equal(0f, v));
        Assert.All(g.Skip(3).Take(4), v => Assert.True(float.IsNaN(v)));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => set.GradientRunsOutside(new[] { 4 }));
        Assert.Contains("no parameter tensor 4", error.Message);
    }
}
