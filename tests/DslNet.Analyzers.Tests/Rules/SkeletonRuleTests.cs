using DslNet.Analyzers.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

public class SkeletonRuleTests
{
    [Fact]
    public void DSL0004_a_stride_of_zero_is_reported_at_the_stride_argument()
    {
        VerifySingle(Network("""
            [Input(1, 8, 8)] public partial Tensor X { get; }
            [Conv2D(2, Kernel = 3, Stride = {|DSL0004:0|}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Conv2D: Stride is 0; it must be at least 1");
    }

    [Fact]
    public void DSL0011_an_unknown_node_is_reported_at_its_name()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(4)] public partial Tensor A { get; }
            [Add(nameof(A), {|DSL0011:"Missing"|}), Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Add: there is no node named 'Missing'");
    }

    [Fact]
    public void A_valid_network_has_no_diagnostics()
    {
        Verify(Network("""
            [Input(1, 8, 8)] public partial Tensor X { get; }
            [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1), ReLU, Flatten, Dense(2)] public partial Tensor Y { get; }
            """));
    }
}
