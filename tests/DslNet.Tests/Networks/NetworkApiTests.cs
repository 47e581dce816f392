using System;
using System.Linq;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>The generated API: constants, node views, run-time checks that change no state, seeding.</summary>
public class NetworkApiTests
{
    private static float[] RandomInput(int length, int seed) =>
        GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(seed), length));

    [Fact]
    public void Parameter_count_constant_matches_the_allocated_parameters()
    {
        var net = new SmallLeNet(maxBatch: 4);
        Assert.Equal(SmallLeNet.ParameterCount, net.Parameters.Count);
        // C1: 4·1·9 + 4, BN 8, C3: 6·4·9 + 6, Side: 2·4 + 2, Hidden: 16·8 + 16, PReLU 1, Logits 3·16 + 3
        Assert.Equal(40 + 8 + 222 + 10 + 144 + 1 + 51, SmallLeNet.ParameterCount);
        Assert.Contains("Concat(C3, Side) + GlobalAvgPool2D", SmallLeNet.Summary);
        Assert.Equal(new[] { 6, 4, 4 }, SmallLeNet.Shapes.C3.ToArray());
        Assert.Equal(new[] { 8 }, SmallLeNet.Shapes.Pooled.ToArray());
    }

    [Fact]
    public void Node_views_show_the_last_forward_pass()
    {
        var net = new SmallLeNet(maxBatch: 4, seed: 3);
        var output = net.Forward(RandomInput(2 * SmallLeNet.Shapes.ImageSize, 1));
        Assert.Equal(2, net.C1.Batch);
        Assert.Equal(new[] { 4, 12, 12 }, net.C1.SampleShape.ToArray());
        Assert.Equal(output.ToArray(), net.Logits.ToArray());
        Assert.Equal("[2, 3]", net.Logits.ToString());
        // ReLU output is never negative; the view shows exactly 2 samples.
        Assert.Equal(2 * 4 * 12 * 12, net.C1.Length);
        Assert.All(net.C1.ToArray(), v => Assert.True(v >= 0));
    }

    [Fact]
    public void A_wrong_input_length_names_the_node_and_shape_and_changes_nothing()
    {
        var net = new SmallLeNet(maxBatch: 4, seed: 3);
        net.Forward(RandomInput(SmallLeNet.Shapes.ImageSize, 1));
        float[] before = net.Logits.ToArray();

        var error = Assert.Throws<ArgumentException>(() => net.Forward(new float[SmallLeNet.Shapes.ImageSize + 1]));
        Assert.Contains("SmallLeNet.Image", error.Message);
        Assert.Contains("[1, 12, 12]", error.Message);
        Assert.Equal(before, net.Logits.ToArray());
        Assert.Equal(1, net.Batch);
    }

    [Fact]
    public void A_batch_larger_than_the_maximum_is_refused()
    {
        var net = new SmallLeNet(maxBatch: 2);
        var error = Assert.Throws<ArgumentException>(() => net.Forward(new float[3 * SmallLeNet.Shapes.ImageSize]));
        Assert.Contains("batch of 3", error.Message);
        Assert.Contains("maximum batch 2", error.Message);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        float[] Weights(int seed) => new SmallLeNet(1, seed).Parameters.Values.View.Span.ToArray();
        Assert.Equal(Weights(42), Weights(42));
        Assert.NotEqual(Weights(42), Weights(43));
    }

    [Fact]
    public void Inference_is_deterministic_and_ignores_dropout()
    {
        var net = new SmallLeNet(maxBatch: 4, seed: 9);
        float[] x = RandomInput(3 * SmallLeNet.Shapes.ImageSize, 2);
        float[] first = net.Forward(x).ToArray();
        float[] second = net.Forward(x).ToArray();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Dense_on_a_sequence_applies_to_every_time_step()
    {
        var net = new SequenceRegressor(maxBatch: 2, seed: 4);
        float[] x = RandomInput(2 * 4 * 3, 5);
        float[] y = net.Forward(x).ToArray();

        // Independent reference: softplus_β=2(W2 · gelu(W1 · x_t + b1) + b2) for each of the 2·4 steps.
        float[] w1 = net.Parameters.Value("PerStep.weight").Span.ToArray(), b1 = net.Parameters.Value("PerStep.bias").Span.ToArray();
        float[] w2 = net.Parameters.Value("Out.weight").Span.ToArray(), b2 = net.Parameters.Value("Out.bias").Span.ToArray();
        for (int row = 0; row < 8; row++)
        {
            var hidden = new double[5];
            for (int h = 0; h < 5; h++)
            {
                double z = b1[h];
                for (int i = 0; i < 3; i++) z += w1[h * 3 + i] * x[row * 3 + i];
                hidden[h] = 0.5 * z * (1 + Erf(z / Math.Sqrt(2)));
            }
            for (int o = 0; o < 2; o++)
            {
                double z = b2[o];
                for (int h = 0; h < 5; h++) z += w2[o * 5 + h] * hidden[h];
                double expected = Math.Log(1 + Math.Exp(2 * z)) / 2;
                Assert.True(Math.Abs(expected - y[row * 2 + o]) < 1e-5, $"row {row}, output {o}: expected {expected}, got {y[row * 2 + o]}");
            }
        }
    }

    /// <summary>erf by Abramowitz–Stegun 7.1.26 (|error| &lt; 1.5e-7): an independent reference for GELU.</summary>
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }

    [Fact]
    public void A_network_with_two_inputs_runs_forward_and_refuses_the_single_input_methods_by_name()
    {
        var net = new TwoInputNet(maxBatch: 2, seed: 5);
        float[] left = RandomInput(2 * 3, 1), right = RandomInput(2 * 2, 2);
        var output = net.Forward(left, right).ToArray();
        Assert.Equal(2 * 4, output.Length);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
        float[] before = net.Parameters.Values.View.Span.ToArray();

        var optimizer = new DslNet.Training.Sgd(0.1);
        var refusals = new Action[]
        {
            () => net.Backward(new float[2 * 4]),
            () => net.TrainStep(left, new[] { 0, 1 }, optimizer),
            () => net.Predict(left),
        };
        foreach (var call in refusals)
        {
            var e = Assert.Throws<InvalidOperationException>(call);
            Assert.Contains("TwoInputNet has 2 inputs", e.Message);
            Assert.DoesNotContain("InputGradientOf", e.Message); // no pointer to a method that does not exist
        }
        Assert.Equal(before, net.Parameters.Values.View.Span.ToArray());
        Assert.Equal(output, net.Output().ToArray());
    }
}
