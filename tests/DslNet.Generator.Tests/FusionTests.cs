using DslNet.Generator.Tests.Support;
using Xunit;

namespace DslNet.Generator.Tests;

/// <summary>Which activations the emitter fuses into the Conv2D or Dense before them (Emit/Fusion.cs).</summary>
public class FusionTests
{
    private const string Kind = "global::DslNet.Backends.ActivationKind.";

    private static string Generate(string nodes, string network = "[Network(Loss = Loss.MeanSquaredError)]")
    {
        string source = $$"""
            using DslNet;

            namespace Demo;

            {{network}}
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

    // ---- a max pool forming the pre-activation gradient of the layer before it ------------------

    private const string Overwriting = ", overwrite: true);";

    [Theory]
    [InlineData("ReLU", "ReLU, 0f")]
    [InlineData("Sigmoid", "Sigmoid, 0f")]
    [InlineData("Tanh", "Tanh, 0f")]
    [InlineData("LeakyReLU(0.2)", "LeakyReLU, 0.2f")]
    public void A_max_pool_that_alone_reads_a_fused_layer_forms_its_pre_activation_gradient(string activation, string arguments)
    {
        string code = Generate($$"""
                [Conv2D(3, Kernel = 3), {{activation}}] public partial Tensor C { get; }
                [MaxPool2D(2)] public partial Tensor P { get; }
                [Flatten, Dense(4)] public partial Tensor D { get; }
            """);
        Assert.Contains($"backend.MaxPool2DBackward(Plan.PGeometry, n, Activation(Plan.C, n), {Kind}{arguments},", code);
        Assert.Contains($"    ActivationGradient(Plan.P, n), ActivationGradient(Plan.C, n){Overwriting}", code);
        // The convolution's backward runs as Identity on that gradient, without the activated output.
        Assert.Contains("Activation(Plan.Image, n), Weight(Plan.C_weight), ActivationGradient(Plan.C, n),", code);
        Assert.DoesNotContain($"{Kind}{arguments}, Activation(Plan.C, n), ActivationGradient(Plan.C, n),", code);
        // D's dense layer is the only reader of P (through the Flatten view), so it writes P's gradient.
        Assert.Contains("OverwrittenGradients: new[] { C, P },", code);
        // Only backward changes: the forward call and the op descriptors (ONNX export) keep the fused activation.
        Assert.Contains($"Weight(Plan.C_bias), {Kind}{arguments}, Activation(Plan.C, n));", code);
        Assert.Contains($"Geometry: C_0Geometry, Activation: global::DslNet.OpKind.{activation.Split('(')[0]}", code);
    }

    [Fact]
    public void A_max_pool_after_a_layer_without_activation_overwrites_with_identity_and_one_inside_a_node_too()
    {
        string code = Generate("""
                [Conv2D(3, Kernel = 3)] public partial Tensor C { get; }
                [MaxPool2D(2)] public partial Tensor P { get; }
                [Conv2D(2, Kernel = 1), ReLU, MaxPool2D(2)] public partial Tensor Q { get; }
            """);
        Assert.Contains($"backend.MaxPool2DBackward(Plan.PGeometry, n, Activation(Plan.C, n), {Kind}Identity, 0f,", code);
        Assert.Contains($"backend.MaxPool2DBackward(Plan.QGeometry, n, Activation(Plan.Q_1, n), {Kind}ReLU, 0f,", code);
        // Q's convolution is the only reader of P, so it writes P's gradient too.
        Assert.Contains("OverwrittenGradients: new[] { C, P, Q_1 },", code);
    }

    [Fact]
    public void A_max_pool_does_not_overwrite_a_gradient_another_op_adds_into()
    {
        // C is read by the pool and by Q: both add into C's gradient.
        string code = Generate("""
                [Conv2D(4, Kernel = 3), ReLU] public partial Tensor C { get; }
                [MaxPool2D(2)] public partial Tensor P { get; }
                [From(nameof(C)), Conv2D(4, Kernel = 2, Stride = 2)] public partial Tensor Q { get; }
                [Add(nameof(P), nameof(Q))] public partial Tensor S { get; }
            """);
        Assert.Contains("backend.MaxPool2DBackward(Plan.PGeometry, n, Activation(Plan.C, n), ActivationGradient(Plan.P, n), ActivationGradient(Plan.C, n));", code);
        Assert.Contains($"    {Kind}ReLU, 0f, Activation(Plan.C, n), ActivationGradient(Plan.C, n),", code);
        Assert.DoesNotContain("overwrite", code);
        Assert.DoesNotContain("OverwrittenGradients", code);
    }

    [Fact]
    public void A_max_pool_does_not_overwrite_an_output_gradient_nor_follow_an_unfused_activation()
    {
        // C is an output (Backward receives its gradient); E's ELU stays a separate op, so the pool's
        // input is not a Conv2D's output.
        string code = Generate("""
                [Conv2D(4, Kernel = 3), ReLU, Output] public partial Tensor C { get; }
                [MaxPool2D(2)] public partial Tensor P { get; }
                [Conv2D(4, Kernel = 1), ELU] public partial Tensor E { get; }
                [MaxPool2D(2), Output] public partial Tensor F { get; }
            """, network: "[Network]");
        Assert.DoesNotContain("overwrite: true", code);
        // Only E's convolution overwrites a gradient: P's, which it alone reads.
        Assert.Contains("OverwrittenGradients: new[] { P },", code);
        Assert.Contains("backend.MaxPool2DBackward(Plan.FGeometry, n, Activation(Plan.E, n), ActivationGradient(Plan.F, n), ActivationGradient(Plan.E, n));", code);
    }

    [Fact]
    public void A_convolution_that_alone_reads_its_input_writes_the_input_gradient()
    {
        string code = Generate("""
                [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Tensor C1 { get; }
                [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Tensor C2 { get; }
                [Flatten, Dense(4)] public partial Tensor D { get; }
            """);
        Assert.Contains("// The only reader of C1: writes C1's gradient rather than adding to it, so it needs no zeroing.", code);
        Assert.Contains("    ActivationGradient(Plan.C1, n), WeightGradient(Plan.C2_weight), WeightGradient(Plan.C2_bias), overwriteInputGradient: true);", code);
        // C1 reads the network's input, whose gradient a training step does not form: added as before.
        Assert.Contains("    InputGradient(Plan.Image, n), WeightGradient(Plan.C1_weight), WeightGradient(Plan.C1_bias));", code);
        // C2 is read only by D's dense layer (through the Flatten view).
        Assert.Contains("OverwrittenGradients: new[] { C1, C2 },", code);
    }

    [Fact]
    public void A_convolution_whose_input_has_another_reader_adds_into_its_gradient()
    {
        // C is read by both convolutions: each adds its share into C's gradient.
        string code = Generate("""
                [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Tensor C { get; }
                [Conv2D(4, Kernel = 1)] public partial Tensor A { get; }
                [From(nameof(C)), Conv2D(4, Kernel = 1)] public partial Tensor B { get; }
                [Add(nameof(A), nameof(B))] public partial Tensor S { get; }
            """);
        Assert.DoesNotContain("overwrite", code);
        Assert.DoesNotContain("OverwrittenGradients", code);
    }

    // ---- a dense layer writing its input's and its parameters' gradients -------------------------

    private const string Overwrites = ", overwriteInputGradient: true, overwriteParameterGradients: true);";

    [Fact]
    public void A_dense_layer_that_alone_reads_its_input_writes_the_input_and_parameter_gradients()
    {
        // W3's shape: a pool, flattened, read by a dense layer, then a second dense layer.
        string code = Generate("""
                [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Tensor C { get; }
                [MaxPool2D(2)] public partial Tensor P { get; }
                [Flatten, Dense(8), ReLU] public partial Tensor H { get; }
                [Dense(3)] public partial Tensor Logits { get; }
            """);
        Assert.Contains("// The only reader of P: writes P's gradient rather than adding to it, so it needs no zeroing.", code);
        Assert.Contains("// The only user of H_weight and H_bias: writes their gradients rather than adding to them, so a training step need not zero them.", code);
        Assert.Contains($"    ActivationGradient(Plan.P, n), WeightGradient(Plan.H_weight), WeightGradient(Plan.H_bias){Overwrites}", code);
        Assert.Contains($"    ActivationGradient(Plan.H, n), WeightGradient(Plan.Logits_weight), WeightGradient(Plan.Logits_bias){Overwrites}", code);
        // The convolution reads the network's input: it still adds, and its parameter gradients too.
        Assert.Contains("    InputGradient(Plan.Image, n), WeightGradient(Plan.C_weight), WeightGradient(Plan.C_bias));", code);
        Assert.Contains("OverwrittenGradients: new[] { C, P, H },", code);
        Assert.Contains("OverwrittenParameterGradients: new[] { H_weight, H_bias, Logits_weight, Logits_bias },", code);
    }

    [Fact]
    public void A_dense_layer_on_the_network_input_adds_into_the_input_gradient_but_writes_its_parameter_gradients()
    {
        string code = Generate("""
                [Flatten, Dense(5), ReLU] public partial Tensor H { get; }
            """);
        Assert.Contains("    InputGradient(Plan.Image, n), WeightGradient(Plan.H_weight), WeightGradient(Plan.H_bias), overwriteInputGradient: false, overwriteParameterGradients: true);", code);
        Assert.DoesNotContain("OverwrittenGradients", code);
        Assert.Contains("OverwrittenParameterGradients: new[] { H_weight, H_bias },", code);
    }

    [Fact]
    public void A_dense_layer_whose_input_has_another_reader_adds_into_its_gradient()
    {
        // H is read by both dense layers: each adds its share into H's gradient.
        string code = Generate("""
                [Flatten, Dense(8), ReLU] public partial Tensor H { get; }
                [Dense(4)] public partial Tensor A { get; }
                [From(nameof(H)), Dense(4)] public partial Tensor B { get; }
                [Add(nameof(A), nameof(B))] public partial Tensor S { get; }
            """);
        Assert.DoesNotContain("overwriteInputGradient: true", code);
        Assert.DoesNotContain("OverwrittenGradients", code);
        Assert.Contains("    ActivationGradient(Plan.H, n), WeightGradient(Plan.A_weight), WeightGradient(Plan.A_bias), overwriteInputGradient: false, overwriteParameterGradients: true);", code);
        Assert.Contains("    ActivationGradient(Plan.H, n), WeightGradient(Plan.B_weight), WeightGradient(Plan.B_bias), overwriteInputGradient: false, overwriteParameterGradients: true);", code);
    }

    [Fact]
    public void A_dense_layer_does_not_overwrite_through_a_flatten_view_that_another_op_reads()
    {
        // F is a Flatten node, a view of C's slot. The dense layer reads F, the convolution E reads C:
        // the same slot has two readers, so both add into its gradient.
        string code = Generate("""
                [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Tensor C { get; }
                [Flatten] public partial Tensor F { get; }
                [Dense(8)] public partial Tensor D { get; }
                [From(nameof(C)), Conv2D(2, Kernel = 1), Flatten, Dense(8)] public partial Tensor E { get; }
                [Add(nameof(D), nameof(E))] public partial Tensor S { get; }
            """);
        Assert.Contains("    ActivationGradient(Plan.C, n), WeightGradient(Plan.D_weight), WeightGradient(Plan.D_bias), overwriteInputGradient: false, overwriteParameterGradients: true);", code);
        Assert.DoesNotContain("writes C's gradient", code);
        // E's dense layer alone reads its convolution's output.
        Assert.Contains("OverwrittenGradients: new[] { E_1 },", code);
    }

    [Fact]
    public void A_dense_layer_does_not_overwrite_the_gradient_of_an_output_nor_of_its_flatten_view()
    {
        // H is an output; G is a Flatten view of C that is an output: the loss or the caller gives their
        // gradients, which the dense layers after them add to.
        string code = Generate("""
                [Conv2D(2, Kernel = 3), ReLU] public partial Tensor C { get; }
                [Flatten, Output] public partial Tensor G { get; }
                [Dense(6), ReLU, Output] public partial Tensor H { get; }
                [Dense(2), Output] public partial Tensor Y { get; }
            """, network: "[Network]");
        Assert.DoesNotContain("overwriteInputGradient: true", code);
        Assert.DoesNotContain("OverwrittenGradients", code);
        Assert.Contains("OverwrittenParameterGradients: new[] { H_weight, H_bias, Y_weight, Y_bias },", code);
    }
}
