using DslNet.Generator.Tests.Support;
using Xunit;

namespace DslNet.Generator.Tests;

/// <summary>Which activations the emitter fuses into the Conv2D or Dense before them (Emit/Fusion.cs).</summary>
public class FusionTests
{
    private const string Kind = "global::DslNet.Backends.ActivationKind.";

    private static string Generate(string nodes)
    {
        string source = $$"""
            using DslNet;

            namespace Demo;

            [Network(Loss = Loss.MeanSquaredError)]
            public partial class Net
            {
                [Input(2, 6, 6)] public partial Tensor Image { get; }
            {{nodes}}
            }
            """;
        var run = GeneratorHarness.RunGenerator(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
        return run.Source("Demo.Net.g.cs");
    }

    [Theory]
    [InlineData("ReLU", "ReLU, 0f")]
    [InlineData("Sigmoid", "Sigmoid, 0f")]
    [InlineData("Tanh", "Tanh, 0f")]
    [InlineData("LeakyReLU(0.2)", "LeakyReLU, 0.2f")]
    public void An_activation_whose_derivative_follows_from_its_output_is_fused(string activation, string arguments)
    {
        string code = Generate($$"""
                [Conv2D(3, Kernel = 3), {{activation}}] public partial Tensor C { get; }
                [Flatten, Dense(4), {{activation}}] public partial Tensor D { get; }
            """);
        Assert.Contains($"Weight(Plan.C_bias), {Kind}{arguments}, Activation(Plan.C, n));", code);
        Assert.Contains($"Weight(Plan.D_bias), {Kind}{arguments}, Activation(Plan.D, n));", code);
        Assert.Contains($"    {Kind}{arguments}, Activation(Plan.C, n), ActivationGradient(Plan.C, n),", code);
        Assert.DoesNotContain("ActivationForward", code);
        Assert.DoesNotContain("ActivationBackward", code);
        Assert.DoesNotContain("ActivationSlot C_0", code); // the pre-activation slot is gone
        Assert.Contains("ActivationSize: 124,", code); // Image 72 + C 48 + D 4: no pre-activation slots
    }

    [Theory]
    [InlineData("ELU")]
    [InlineData("GELU")]
    [InlineData("Swish")]
    [InlineData("Softplus")]
    public void An_activation_whose_derivative_needs_its_input_stays_separate(string activation)
    {
        string code = Generate($$"""
                [Conv2D(3, Kernel = 3), {{activation}}] public partial Tensor C { get; }
            """);
        Assert.Contains("Weight(Plan.C_bias), Activation(Plan.C_0, n));", code);
        Assert.Contains("backend.ActivationForward(", code);
        Assert.Contains("backend.ActivationBackward(", code);
    }

    [Fact]
    public void An_activation_in_the_next_node_or_after_another_op_is_not_fused()
    {
        // C's convolution is C's value (other nodes may read it), and BatchNorm stands between B's
        // convolution and its ReLU.
        string code = Generate("""
                [Conv2D(2, Kernel = 3)] public partial Tensor C { get; }
                [ReLU] public partial Tensor R { get; }
                [Conv2D(2, Kernel = 1), BatchNorm, ReLU] public partial Tensor B { get; }
            """);
        Assert.Contains("Weight(Plan.C_bias), Activation(Plan.C, n));", code);
        Assert.Contains($"backend.ActivationForward({Kind}ReLU, 0f, Activation(Plan.C, n), Activation(Plan.R, n));", code);
        Assert.Contains($"backend.ActivationForward({Kind}ReLU, 0f, Activation(Plan.B_1, n), Activation(Plan.B, n));", code);
    }
}
