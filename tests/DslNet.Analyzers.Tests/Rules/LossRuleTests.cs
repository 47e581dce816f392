using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>The declared loss against the output it trains.</summary>
public class LossRuleTests
{
    private static string Net(string loss, string output, string extra = "") => $$"""
        using DslNet;
        namespace Demo;
        [Network(Loss = {{loss}}{{extra}})]
        public partial class Net
        {
            [Input(4)] public partial Tensor X { get; }
            [{{output}}] public partial Tensor Y { get; }
        }
        """;

    [Fact]
    public void DSL0015_cross_entropy_on_one_unit_is_reported_at_the_loss()
    {
        VerifySingle(Net("{|DSL0015:Loss.SoftmaxCrossEntropy|}", "Dense(1)"), DiagnosticSeverity.Error,
            "SoftmaxCrossEntropy needs at least 2 classes, but output 'Y' [1] has 1; for one unit use BinaryCrossEntropyWithLogits");
    }

    [Fact]
    public void DSL0015_binary_cross_entropy_on_several_units_needs_the_multi_label_opt_in()
    {
        VerifySingle(Net("{|DSL0015:Loss.BinaryCrossEntropyWithLogits|}", "Dense(3)"), DiagnosticSeverity.Error,
            "BinaryCrossEntropyWithLogits scores each of the 3 units of output 'Y' [3] as an independent yes/no label; for one class out of 3 use SoftmaxCrossEntropy, or set MultiLabel = true on [Network] if the labels really are independent");
        Verify(Net("Loss.BinaryCrossEntropyWithLogits", "Dense(3)", ", MultiLabel = true"));
    }

    [Fact]
    public void DSL0015_cross_entropy_on_an_image_output_has_no_class_axis()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            [Network(Loss = {|DSL0015:Loss.SoftmaxCrossEntropy|})]
            public partial class Net
            {
                [Input(1, 8, 8)] public partial Tensor X { get; }
                [Conv2D(4, Kernel = 3)] public partial Tensor Y { get; }
            }
            """, DiagnosticSeverity.Error,
            "SoftmaxCrossEntropy scores classes along the last axis, but output 'Y' [4, 6, 6] is an image; add GlobalAvgPool2D or Flatten, then Dense(classes)");
    }

    [Fact]
    public void DSL0015_a_declared_loss_needs_a_single_output()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            [Network(Loss = {|DSL0015:Loss.MeanSquaredError|})]
            public partial class Net
            {
                [Input(4)] public partial Tensor X { get; }
                [Dense(1), Output] public partial Tensor Value { get; }
                [From(nameof(X)), Dense(3), Output] public partial Tensor Scores { get; }
            }
            """, DiagnosticSeverity.Error,
            "MeanSquaredError trains a single output, but Value, Scores are all marked [Output]; keep one [Output], or declare no loss and train with Forward/Backward");
    }

    [Fact]
    public void DSL0022_softmax_before_a_loss_that_applies_softmax_is_a_warning()
    {
        VerifySingle(Net("Loss.SoftmaxCrossEntropy", "Dense(10), {|DSL0022:Softmax|}"), DiagnosticSeverity.Warning,
            "Y: Softmax: the loss SoftmaxCrossEntropy applies softmax to the logits itself, so with this Softmax it is applied twice and learning slows; remove the Softmax");
    }

    [Fact]
    public void DSL0022_sigmoid_before_bce_with_logits_is_a_warning()
    {
        VerifySingle(Net("Loss.BinaryCrossEntropyWithLogits", "Dense(1), {|DSL0022:Sigmoid|}"), DiagnosticSeverity.Warning,
            "Y: Sigmoid: the loss BinaryCrossEntropyWithLogits applies the sigmoid to the logits itself, so with this Sigmoid it is applied twice and learning slows; remove the Sigmoid");
    }

    [Fact]
    public void DSL0026_nll_loss_without_log_softmax_is_a_warning()
    {
        VerifySingle(Net("Loss.NllLoss", "{|DSL0026:Dense(10)|}"), DiagnosticSeverity.Warning,
            "Y: Dense: NllLoss expects log-probabilities, but output 'Y' [10] does not end with LogSoftmax; add LogSoftmax, or use SoftmaxCrossEntropy on the logits");
    }

    [Theory]
    [InlineData("Loss.NllLoss", "Dense(10), LogSoftmax")]
    [InlineData("Loss.BinaryCrossEntropy", "Dense(1), Sigmoid")]
    [InlineData("Loss.BinaryCrossEntropyWithLogits", "Dense(1)")]
    [InlineData("Loss.SoftmaxCrossEntropy", "Dense(10), LogSoftmax")]   // log-softmax twice changes nothing
    [InlineData("Loss.MeanSquaredError", "Dense(1)")]
    public void Fitting_losses_are_silent(string loss, string output)
    {
        Verify(Net(loss, output));
    }
}
