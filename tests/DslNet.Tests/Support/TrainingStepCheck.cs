using System;
using System.Linq;
using DslNet.Backends;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Support;

/// <summary>
/// Checks that a training step, which skips zeroing the gradients backward overwrites, gives the
/// parameter gradients of Forward + <see cref="Network.Backward"/> (which zeroes everything first).
/// </summary>
public static class TrainingStepCheck
{
    /// <summary>
    /// Runs one training step, then a second one on a fresh batch; with <paramref name="poisonGradients"/>
    /// every parameter and activation gradient is set to NaN between the two, so the second step must
    /// clear or overwrite whatever it reads. Its parameter gradients must equal (to 1e-5 of the largest)
    /// those of Forward + Backward at the same parameters, with the softmax cross-entropy gradient
    /// (softmax − one-hot) / batch formed here in double.
    /// </summary>
    public static void StepGradientsMatchBackward(Network net, Backend backend, int batch, Random random, bool poisonGradients, string what)
    {
        int inputSize = net.Layout.Inputs[0].Slot.Size, classes = net.Layout.Outputs[0].Slot.Size;
        float[] Inputs() => GradientCheck.ToFloat(GradientCheck.RandomArray(random, batch * inputSize));
        int[] Labels() => Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        var sgd = new Sgd(learningRate: 0.05);

        net.TrainStep(Inputs(), Labels(), sgd);
        if (poisonGradients)
        {
            backend.Fill(net.Parameters.Gradients!.View, float.NaN);
            backend.Fill(net.ActivationGradientBuffer.View, float.NaN);
        }
        float[] x = Inputs();
        int[] labels = Labels();
        float[] before = net.Parameters.Values.View.Span.ToArray();
        net.TrainStep(x, labels, sgd);
        float[] stepGradient = net.Parameters.Gradients!.View.Span.ToArray();
        Assert.All(stepGradient, v => Assert.True(float.IsFinite(v), $"{what}: a parameter gradient of the step is {v}"));

        before.CopyTo(net.Parameters.Values.View.Span);
        net.Training = true;
        float[] logits = net.Forward(x).ToArray();
        var dLogits = new float[logits.Length];
        for (int s = 0; s < batch; s++)
        {
            var row = logits.AsSpan(s * classes, classes);
            double max = row.ToArray().Max(), sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            for (int c = 0; c < classes; c++)
                dLogits[s * classes + c] = (float)((Math.Exp(row[c] - max) / sum - (c == labels[s] ? 1 : 0)) / batch);
        }
        net.Backward(dLogits);
        float[] reference = net.Parameters.Gradients!.View.Span.ToArray();

        float largest = reference.Max(Math.Abs);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(stepGradient[i] - reference[i]) <= 1e-5f * largest,
                $"{what}: parameter gradient [{i}] of the step {stepGradient[i]:G9}, of Backward {reference[i]:G9}");
    }
}
