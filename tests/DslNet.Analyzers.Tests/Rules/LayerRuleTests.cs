using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>Layers applied to tensors of the wrong rank or size, and hyper-parameters out of range.</summary>
public class LayerRuleTests
{
    [Fact]
    public void DSL0008_dense_on_an_image_needs_flatten()
    {
        VerifySingle(Network("""
            [Input(1, 7, 7)] public partial Tensor X { get; }
            [{|DSL0008:Dense(10)|}] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "Y: Dense: Dense needs a vector [features] or a sequence [T, features], but its input is the image [1, 7, 7]; add Flatten before it (DslNet never flattens implicitly)");
    }

    [Fact]
    public void DSL0008_conv2d_after_flatten_needs_an_image()
    {
        VerifySingle(Network("""
            [Input(1, 7, 7)] public partial Tensor X { get; }
            [Flatten, {|DSL0008:Conv2D(4)|}, Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Conv2D: Conv2D needs an image [C, H, W], but its input is [49]");
    }

    [Fact]
    public void Dense_on_a_sequence_applies_per_time_step_and_is_valid()
    {
        Verify(Network("""
            [Input(5, 8)] public partial Tensor X { get; }
            [Dense(4), ReLU, Flatten, Dense(2)] public partial Tensor Y { get; }
            """));
    }

    [Fact]
    public void DSL0013_a_reshape_that_changes_the_element_count_shows_both_counts()
    {
        VerifySingle(Network("""
            [Input(1, 7, 7)] public partial Tensor X { get; }
            [Flatten, Reshape({|DSL0013:5, 10|}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Reshape: Reshape to [5, 10] has 50 elements but its input [49] has 49");
    }

    [Fact]
    public void DSL0014_an_in_features_assertion_from_a_pytorch_port_is_checked()
    {
        // nn.Linear(400, 120) after a 16×5×5 feature map is right; 16×4×4 = 256 is what this network has.
        VerifySingle(Network("""
            [Input(16, 4, 4)] public partial Tensor X { get; }
            [Flatten, Dense(120, InFeatures = {|DSL0014:400|}), ReLU, Dense(10)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Dense: InFeatures = 400 is declared, but the input [256] has 256 features");
    }

    [Fact]
    public void DSL0014_an_in_channels_assertion_is_checked()
    {
        VerifySingle(Network("""
            [Input(1, 8, 8)] public partial Tensor X { get; }
            [Conv2D(16, Kernel = 3, InChannels = {|DSL0014:3|}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Conv2D: InChannels = 3 is declared, but the input [1, 8, 8] has 1 channels");
    }

    [Fact]
    public void DSL0016_a_dropout_rate_of_one_drops_everything()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(4), Dropout({|DSL0016:1.0|}), Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Dropout: the dropout rate 1 must be in [0, 1): it is the probability of dropping a value");
    }

    [Theory]
    [InlineData("LeakyReLU({|DSL0016:-0.1|})", "Y: LeakyReLU: the negative slope -0.1 must be in [0, 1): a negative slope flips the sign of negative inputs, and 1 or more makes the layer linear (or inverted)")]
    [InlineData("ELU({|DSL0016:-1.0|})", "Y: ELU: alpha -1 must be 0 or more (it is the value negative inputs saturate to, negated); a negative alpha makes ELU non-monotonic")]
    [InlineData("PReLU({|DSL0016:-0.25|})", "Y: PReLU: the initial negative slope -0.25 must be in [0, 1), as for LeakyReLU (PyTorch starts at 0.25)")]
    [InlineData("Softplus({|DSL0016:0.0|})", "Y: Softplus: Softplus beta 0 must be greater than 0")]
    [InlineData("BatchNorm(Epsilon = {|DSL0016:0.0|})", "Y: BatchNorm: Epsilon 0 must be greater than 0")]
    [InlineData("BatchNorm(Momentum = {|DSL0016:1.5|})", "Y: BatchNorm: Momentum 1.5 must be in [0, 1] (the weight of the new batch, PyTorch's convention)")]
    [InlineData("Reshape({|DSL0016:-1|})", "Y: Reshape: Reshape needs sizes of at least 1, not [-1]; DslNet does not infer -1 as PyTorch's view does: write Reshape(4) for the [4] input")]
    public void DSL0016_hyper_parameters_out_of_range_are_reported_at_the_value(string layer, string message)
    {
        VerifySingle(Network($$"""
            [Input(4)] public partial Tensor X { get; }
            [Dense(4), {{layer}}, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, message);
    }

    [Fact]
    public void DSL0027_softmax_over_a_single_unit_is_constant()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(1), {|DSL0027:Softmax|}] public partial Tensor Y { get; }
            """, "Loss.MeanSquaredError"), DiagnosticSeverity.Error,
            "Y: Softmax: Softmax over the single unit of its input [1] always outputs 1, so nothing before it can learn; use Sigmoid for one unit");
    }

    [Fact]
    public void DSL0028_from_after_other_layers_would_throw_them_away()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(3), {|DSL0028:From(nameof(X))|}, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "Y: From: From replaces the node's input, so the Dense before it would be computed and thrown away; move From first");
    }
}
