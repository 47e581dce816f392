using System;
using System.IO;
using System.Linq;
using DslNet.IO;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>Training through the generated code: learning, allocation, errors that change nothing, checkpoints.</summary>
public class TrainingTests
{
    private static float[] RandomInput(int length, int seed) =>
        GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(seed), length));

    [Fact]
    public void A_2_2_1_sigmoid_perceptron_learns_xor()
    {
        // The course's XOR example: inputs (0,0),(0,1),(1,0),(1,1) → 0,1,1,0.
        float[] x = { 0, 0, 0, 1, 1, 0, 1, 1 };
        float[] t = { 0, 1, 1, 0 };
        var net = new XorNet(maxBatch: 4, seed: 1);
        var optimizer = new Sgd(learningRate: 0.5, momentum: 0.9);
        float loss = float.NaN;
        for (int step = 0; step < 3000; step++) loss = net.TrainStep(x, t, optimizer);

        float[] y = net.Forward(x).ToArray();
        Assert.True(loss < 0.05, $"final BCE {loss}");
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(y[i] - t[i]) < 0.2, $"XOR sample {i}: {y[i]} for target {t[i]}");
    }

    [Fact]
    public void A_training_step_allocates_nothing_after_the_first()
    {
        var net = new SmallLeNet(maxBatch: 8, seed: 2);
        var optimizer = new Adam(1e-3) { ClipGradientNorm = 5 };
        float[] x = RandomInput(8 * SmallLeNet.Shapes.ImageSize, 3);
        int[] labels = { 0, 1, 2, 0, 1, 2, 0, 1 };
        net.TrainStep(x, labels, optimizer); // first call: optimizer state and kernel scratch are allocated here
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => net.TrainStep(x, labels, optimizer), 5, "a training step");
    }

    [Fact]
    public void A_training_step_on_two_threads_allocates_nothing_after_the_first()
    {
        // Every kernel that can split does (no minimum work), so the worker pool's hand-offs and the
        // parallel GEMM's shared buffers are on the path being measured.
        using var backend = new DslNet.Backends.Cpu.CpuBackend(2);
        backend.Pool.MinimumWorkPerPart = 0;
        var net = new SmallLeNet(maxBatch: 8, seed: 2, backend);
        var optimizer = new Sgd(0.01, momentum: 0.9);
        float[] x = RandomInput(8 * SmallLeNet.Shapes.ImageSize, 3);
        int[] labels = { 0, 1, 2, 0, 1, 2, 0, 1 };
        net.TrainStep(x, labels, optimizer);
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => net.TrainStep(x, labels, optimizer), 5, "a training step on two threads");
    }

    [Fact]
    public void Training_reduces_the_loss_of_a_network_with_every_layer_family()
    {
        var net = new SmallLeNet(maxBatch: 16, seed: 4);
        var optimizer = new Sgd(0.05, momentum: 0.9);
        float[] x = RandomInput(16 * SmallLeNet.Shapes.ImageSize, 5);
        int[] labels = Enumerable.Range(0, 16).Select(i => i % 3).ToArray();
        float first = net.Evaluate(x, labels);
        for (int i = 0; i < 60; i++) net.TrainStep(x, labels, optimizer);
        float last = net.Evaluate(x, labels);
        Assert.True(last < first * 0.5, $"loss {first} → {last}");
    }

    [Fact]
    public void A_label_out_of_range_names_the_sample_and_changes_nothing()
    {
        var net = new SmallLeNet(maxBatch: 4, seed: 6);
        var optimizer = new Sgd(0.1);
        float[] before = net.Parameters.Values.View.Span.ToArray();
        float[] x = RandomInput(2 * SmallLeNet.Shapes.ImageSize, 7);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainStep(x, new[] { 1, 3 }, optimizer));
        Assert.Contains("label 3 of sample 1", error.Message);
        Assert.Contains("3 classes", error.Message);
        Assert.Equal(before, net.Parameters.Values.View.Span.ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(0, net.Batch);
    }

    [Fact]
    public void A_loss_that_does_not_take_labels_is_refused()
    {
        var net = new SequenceRegressor(maxBatch: 2);
        var error = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[12], new[] { 0 }, new Sgd(0.1)));
        Assert.Contains("MeanSquaredError", error.Message);
    }

    [Fact]
    public void A_nan_loss_stops_before_the_update()
    {
        var net = new SequenceRegressor(maxBatch: 1);
        var optimizer = new Sgd(0.1);
        float[] before = net.Parameters.Values.View.Span.ToArray();
        float[] x = new float[12];
        x[0] = float.NaN;
        var error = Assert.Throws<NonFiniteValueException>(() => net.TrainStep(x, new float[8], optimizer));
        Assert.Contains("NaN", error.Message);
        Assert.Equal(before, net.Parameters.Values.View.Span.ToArray());
    }

    [Fact]
    public void Save_then_load_restores_bit_identical_outputs()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dslnet-{Guid.NewGuid():N}.safetensors");
        try
        {
            var trained = new SmallLeNet(maxBatch: 4, seed: 8);
            var optimizer = new Adam(1e-2);
            float[] x = RandomInput(4 * SmallLeNet.Shapes.ImageSize, 9);
            int[] labels = { 0, 1, 2, 1 };
            for (int i = 0; i < 5; i++) trained.TrainStep(x, labels, optimizer); // moves weights and BN running stats
            float[] expected = trained.Forward(x).ToArray();
            trained.Save(path);

            var restored = new SmallLeNet(maxBatch: 4, seed: 99);
            Assert.NotEqual(expected, restored.Forward(x).ToArray());
            restored.Load(path);
            Assert.Equal(expected, restored.Forward(x).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_a_checkpoint_of_another_shape_names_the_tensor_and_changes_nothing()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dslnet-{Guid.NewGuid():N}.safetensors");
        try
        {
            var other = new ResidualCnn(maxBatch: 1);
            // Same tensor names as SmallLeNet's Logits, different shape: write a checkpoint by hand.
            var logits = new ParameterSet(other.Backend, new[]
            {
                new ParameterSpec("Logits.weight", new[] { 5, 16 }, ParameterInit.Constant, Value: 1),
            }, trainable: false);
            Checkpoint.Save(path, logits);

            var net = new SmallLeNet(maxBatch: 1, seed: 3);
            float[] before = net.Parameters.Values.View.Span.ToArray();
            var error = Assert.Throws<CheckpointMismatchException>(() => net.Load(path));
            Assert.Contains("tensor 'Logits.weight' has shape [5, 16] but the network expects [3, 16]", error.Message);
            Assert.Equal(before, net.Parameters.Values.View.Span.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
