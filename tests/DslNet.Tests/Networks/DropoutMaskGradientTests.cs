using System;
using System.Linq;
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
        // Two networks with the same seed draw the same dropout masks step by step; one has every
        // parameter and activation gradient set to NaN after its first step.
        const int batch = 8;
        using var backend = CpuTensors.NewCpu(1);
        var clean = new DropoutBetweenDenseLayers(maxBatch: batch, seed: 5, backend);
        var poisoned = new DropoutBetweenDenseLayers(maxBatch: batch, seed: 5, backend);
        var layout = poisoned.Layout;
        var mask = layout.OverwrittenGradients!.Single(slot => !layout.Nodes.Any(node => node.Slot == slot));
        Assert.Equal(5, mask.Size);

        var random = new Random(6);
        var batches = Enumerable.Range(0, 2).Select(_ => GradientCheck.ToFloat(GradientCheck.RandomArray(random, batch * 6))).ToArray();
        int[] labels = { 0, 1, 2, 0, 1, 2, 0, 1 };
        var (sgdClean, sgdPoisoned) = (new Sgd(0.05), new Sgd(0.05));
        clean.TrainStep(batches[0], labels, sgdClean);
        poisoned.TrainStep(batches[0], labels, sgdPoisoned);
        backend.Fill(poisoned.Parameters.Gradients!.View, float.NaN);
        backend.Fill(poisoned.ActivationGradientBuffer.View, float.NaN);
        float lossClean = clean.TrainStep(batches[1], labels, sgdClean);
        float lossPoisoned = poisoned.TrainStep(batches[1], labels, sgdPoisoned);

        var maskGradient = poisoned.ActivationGradientBuffer.View.Span.Slice(mask.Offset * batch, mask.Size * batch).ToArray();
        Assert.All(maskGradient, v => Assert.True(float.IsNaN(v), $"the step wrote {v} into the mask's gradient"));
        Assert.Equal(lossClean, lossPoisoned);
        float[] expected = clean.Parameters.Gradients!.View.Span.ToArray(), actual = poisoned.Parameters.Gradients!.View.Span.ToArray();
        Assert.All(actual, v => Assert.True(float.IsFinite(v), $"a parameter gradient is {v}"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "the poisoned network's parameter gradients differ");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Nan_in_every_gradient_between_steps_gives_the_same_step_as_clean_buffers(int threads)
    {
        // Two networks with the same seed draw the same dropout masks step by step; one has every
        // parameter and activation gradient set to NaN after its first step.
        using var backend = CpuTensors.NewCpu(threads);
        var clean = new SmallLeNet(maxBatch: 8, seed: 5, backend);
        var poisoned = new SmallLeNet(maxBatch: 8, seed: 5, backend);
        var random = new Random(6);
        var batches = Enumerable.Range(0, 2).Select(_ => GradientCheck.ToFloat(GradientCheck.RandomArray(random, 8 * SmallLeNet.Shapes.ImageSize))).ToArray();
        int[] labels = { 0, 1, 2, 0, 1, 2, 0, 1 };
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
