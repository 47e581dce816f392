using DslNet.Analyzers.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>Sliding windows (Conv2D, pooling): sizes, padding, and strides that must tile the input.</summary>
public class WindowRuleTests
{
    private static string Image(int size, string attributes, string loss = "Loss.SoftmaxCrossEntropy") => Network($$"""
        [Input(1, {{size}}, {{size}})] public partial Tensor X { get; }
        [{{attributes}}, Flatten, Dense(2)] public partial Tensor Y { get; }
        """, loss);

    [Fact]
    public void DSL0004_a_stride_of_zero_is_reported_once_at_the_stride_argument()
    {
        VerifySingle(Image(8, "Conv2D(2, Kernel = 3, Stride = {|DSL0004:0|})"),
            DiagnosticSeverity.Error, "Y: Conv2D: Stride is 0; it must be at least 1");
    }

    [Fact]
    public void DSL0005_negative_padding_is_reported_at_the_padding_argument()
    {
        VerifySingle(Image(8, "Conv2D(2, Kernel = 3, Padding = {|DSL0005:-1|})"),
            DiagnosticSeverity.Error, "Y: Conv2D: padding -1 is negative; use 0 or more, or Padding.Same");
    }

    [Fact]
    public void DSL0006_a_stride_that_leaves_real_rows_unread_shows_the_formula_and_the_strides_that_tile()
    {
        // (13 − 5) mod 3 = 2 > padding 0, and stride 3 ≤ extent 5: the last 2 rows and columns are never read.
        // Strides 1, 2 and 4 divide 8; padding 1 gives (15 − 5) mod 3 = 1 ≤ 1.
        VerifySingle(Network("""
            [Input(1, 13, 13)] public partial Tensor Image { get; }
            [Conv2D(6, Kernel = 5, Stride = {|DSL0006:3|}), ReLU] public partial Tensor C3 { get; }
            [Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "C3: Conv2D kernel 5×5 with stride 3 does not tile the 13×13 input: (13 − 5) / 3 + 1 = 3.67, so the last 2 rows and columns are never read — choose stride 1, 2 or 4, or padding 1");
    }

    [Fact]
    public void DSL0006_pooling_with_its_default_stride_on_an_odd_size_drops_the_last_row()
    {
        // MaxPool2D(2) strides by 2: (7 − 2) mod 2 = 1 real row after the last window.
        VerifySingle(Image(7, "{|DSL0006:MaxPool2D|}(2)"), DiagnosticSeverity.Error,
            "Y: MaxPool2D window 2×2 with stride 2 does not tile the 7×7 input: (7 − 2) / 2 + 1 = 3.5, so the last row and column are never read — choose stride 1, or padding 1");
    }

    [Fact]
    public void DSL0006_names_the_axis_when_only_one_axis_fails()
    {
        VerifySingle(Network("""
            [Input(1, 8, 7)] public partial Tensor X { get; }
            [Conv2D(2, Kernel = 3, Stride = {|DSL0006:2|}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "Y: Conv2D kernel 3×3 with stride 2 does not tile the 8×7 input along its height: (8 − 3) / 2 + 1 = 3.5, so the last row is never read — choose stride 1, or padding 1");
    }

    [Theory]
    [InlineData(8, "Conv2D(4, Kernel = 3, Stride = 2, Padding = 1)")]   // remainder 1 is padding only
    [InlineData(28, "Conv2D(4, Kernel = 3, Stride = 2, Padding = 1)")]
    [InlineData(8, "Conv2D(4, Kernel = 1, Stride = 2)")]                // 1×1 stride-2 shortcut skips by design
    [InlineData(7, "Conv2D(4, Kernel = 1, Stride = 2)")]
    [InlineData(8, "MaxPool2D(3, Stride = 2, Padding = 1)")]
    [InlineData(14, "Conv2D(4, Kernel = 5, Stride = 3)")]               // (14 − 5) / 3 + 1 = 4 exactly
    [InlineData(7, "MaxPool2D(1, Stride = 3)")]                         // stride larger than the window
    [InlineData(9, "Conv2D(4, Kernel = 3, Stride = 2, Padding = Padding.Same)")]
    public void DSL0006_stays_silent_when_the_remainder_is_padding_or_the_stride_skips_by_design(int size, string layer)
    {
        Verify(Image(size, layer));
    }

    [Fact]
    public void DSL0006_can_be_lowered_to_a_warning_with_editorconfig()
    {
        var (source, _) = Markup.Parse(Image(7, "MaxPool2D(2)"));
        var run = AnalyzeWithEditorConfig(source, """
            root = true

            [*.cs]
            dotnet_diagnostic.DSL0006.severity = warning
            """);
        var diagnostic = Assert.Single(run.Dsl);
        Assert.Equal("DSL0006", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Empty(run.CompilerErrors);

        // Without the file the same source is an error.
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(Analyze(source).Dsl).Severity);
    }

    [Fact]
    public void DSL0007_a_kernel_larger_than_the_input_shows_the_empty_output()
    {
        VerifySingle(Image(7, "Conv2D(2, Kernel = {|DSL0007:9|})"), DiagnosticSeverity.Error,
            "Y: Conv2D kernel 9×9 is larger than the 7×7 input: (7 − 9) / 1 + 1 = -1, so the output would be empty — use a kernel of at most 7");
    }

    [Fact]
    public void DSL0007_a_default_kernel_is_reported_at_the_attribute_name()
    {
        // Conv2D's default kernel 3 on a 2×2 input: no argument to point at, so the attribute name.
        VerifySingle(Image(2, "{|DSL0007:Conv2D|}(2)"), DiagnosticSeverity.Error,
            "Y: Conv2D kernel 3×3 is larger than the 2×2 input: (2 − 3) / 1 + 1 = 0, so the output would be empty — use a kernel of at most 2");
    }

    [Fact]
    public void DSL0018_same_padding_that_cannot_be_symmetric_is_a_warning_that_says_where_the_extra_row_goes()
    {
        // Kernel 4, stride 1 on 6: total padding (6 − 1)·1 + 4 − 6 = 3 → 1 before, 2 after.
        VerifySingle(Image(6, "Conv2D(2, Kernel = 4, Padding = {|DSL0018:Padding.Same|})"), DiagnosticSeverity.Warning,
            "Y: Conv2D Padding.Same with kernel 4×4 and stride 1 on the 6×6 input needs 3 rows and columns of padding: 1 before and 2 after, so the output is shifted by half a pixel — for symmetric padding use an odd kernel with stride 1, or an explicit Padding");
    }

    [Fact]
    public void DSL0018_same_padding_on_a_strided_pool_says_one_row_goes_after()
    {
        // MaxPool2D(3) strides by 3: on 32, ⌈32/3⌉ = 11 outputs need (11 − 1)·3 + 3 − 32 = 1 row of padding.
        VerifySingle(Image(32, "MaxPool2D(3, Padding = {|DSL0018:Padding.Same|})"), DiagnosticSeverity.Warning,
            "Y: MaxPool2D Padding.Same with window 3×3 and stride 3 on the 32×32 input needs 1 row and column of padding: 0 before and 1 after, so the output is shifted by half a pixel — for symmetric padding use an odd window with stride 1, or an explicit Padding");
    }

    [Fact]
    public void DSL0019_padding_as_large_as_the_kernel_makes_windows_of_padding_only()
    {
        VerifySingle(Image(7, "Conv2D(2, Kernel = 3, Padding = {|DSL0019:3|})"), DiagnosticSeverity.Error,
            "Y: Conv2D padding 3 is not smaller than the kernel 3×3, so border windows would see only padding — use padding 2 or less");
    }

    [Fact]
    public void DSL0019_pooling_padding_is_limited_to_half_the_window()
    {
        VerifySingle(Image(8, "MaxPool2D(2, Padding = {|DSL0019:2|})"), DiagnosticSeverity.Error,
            "Y: MaxPool2D padding 2 is more than half the window 2×2, so border windows would see only padding — use padding 1 or less");
    }
}
