using System;
using System.Linq;
using DslNet.Backends;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>A dense layer, a dropout, a dense layer: the dropout's mask is the one slot of its own.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class DropoutBetweenDenseLayers
{
    [Input(6)]                  public partial Tensor Features { get; }
    [Dense(5), Dropout(0.5)]    public partial Tensor Hidden { get; }
    [Dense(3)]                  public partial Tensor Logits { get; }
}

/// <summary>
/// A training step does not zero a Dropout mask's gradient slot: nothing writes or reads it (the
/// backward reads the mask itself). Anything left there must not reach the parameters.
/// </summary>
public class DropoutMaskGradientTests
{
    [Fact]
    public void A_step_leaves_the_mask_gradient_as_it_was_and_the_parameter_gradients_are_those_of_clean_buffers()
    {
        const int batch = 8;
        using var backend = CpuTensors.NewCpu(1);
        var poisoned = new DropoutBetweenDenseLayers(maxBatch: batch, seed: 5, backend);
        var layout = poisoned.Layout;
        var mask = layout.OverwrittenGradients!.Single(slot => !layout.Nodes.Any(node => node.Slot == slot));
        Assert.Equal(5, mask.Size);

        StepTwinsAndCompare(new DropoutBetweenDenseLayers(maxBatch: batch, seed: 5, backend), poisoned, backend, batch, inputSize: 6);

        var maskGradient = poisoned.ActivationGradientBuffer.View.Span.Slice(mask.Offset * batch, mask.Size * batch).ToArray();
        Assert.All(maskGradient, v => Assert.True(float.IsNaN(v), $"the step wrote {v} into the mask's gradient"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Nan_in_every_gradient_between_steps_gives_the_same_step_as_clean_buffers(int threads)
    {
        using var backend = CpuTensors.NewCpu(threads);
        StepTwinsAndCompare(new SmallLeNet(maxBatch: 8, seed: 5, backend), new SmallLeNet(maxBatch: 8, seed: 5, backend),
            backend, batch: 8, SmallLeNet.Shapes.ImageSize);
    }

    /// <summary>
    /// Two steps of two networks built alike (same seed, so the same dropout masks step by step); the
    /// second gets every parameter and activation gradient set to NaN between its steps. The second
    /// steps must give the same loss and, bitwise, the same finite parameter gradients.
    /// </summary>
    private static void StepTwinsAndCompare(Network clean, Network poisoned, Backend backend, int batch, int inputSize)
    {
        var random = new Random(6);
        var batches = Enumerable.Range(0, 2).Select(_ => GradientCheck.ToFloat(GradientCheck.RandomArray(random, batch * inputSize))).ToArray();
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray();
        var (sgdClean, sgdPoisoned) = (new Sgd(0.05), new Sgd(0.05));

        clean.TrainStep(batches[0], labels, sgdClean);
        poisoned.TrainStep(batches[0], labels, sgdPoisoned);
        backend.Fill(poisoned.Parameters.Gradients!.View, float.NaN);
        backend.Fill(poisoned.ActivationGradientBuffer.View, float.NaN);
        float lossClean = clean.TrainStep(batches[1], labels, sgdClean);
        float lossPoisoned = poisoned.TrainStep(batches[1], labels, sgdPoisoned);

        Assert.Equal(lossClean, lossPoisoned);
        float[] expected = clean.Parameters.Gradients!.View.Span.ToArray(), actual = poisoned.Parameters.Gradients!.View.Span.ToArray();
        Assert.All(actual, v => Assert.True(float.IsFinite(v), $"a parameter gradient is {v}"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "the poisoned network's parameter gradients differ");
    }
}
