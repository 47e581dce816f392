using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>Nodes that read other nodes: names, order, and the shapes merges need.</summary>
public class GraphRuleTests
{
    [Fact]
    public void DSL0009_add_of_different_shapes_is_reported_at_the_odd_operand()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(3)] public partial Tensor A { get; }
            [From(nameof(X)), Dense(5)] public partial Tensor B { get; }
            [Add(nameof(A), {|DSL0009:nameof(B)|}), Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Add: Add needs equal shapes, but A is [3] and B is [5]");
    }

    [Fact]
    public void DSL0010_concat_needs_equal_spatial_sizes()
    {
        VerifySingle(Network("""
            [Input(3, 8, 8)] public partial Tensor X { get; }
            [Conv2D(4, Kernel = 1)] public partial Tensor A { get; }
            [From(nameof(X)), Conv2D(4, Kernel = 3)] public partial Tensor B { get; }
            [Concat(nameof(A), {|DSL0010:nameof(B)|}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "Y: Concat: Concat joins along the first axis and needs the other axes equal, but A is [4, 8, 8] and B is [4, 6, 6]");
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
    public void DSL0012_reading_a_later_node_would_make_a_cycle()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [From({|DSL0012:nameof(Y)|}), Dense(4)] public partial Tensor A { get; }
            [Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "A: From: 'Y' is declared after this node (or is this node); reading it would make a cycle");
    }

    [Fact]
    public void DSL0025_multiply_takes_exactly_two_tensors()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(4)] public partial Tensor A { get; }
            [From(nameof(X)), Dense(4)] public partial Tensor B { get; }
            [Multiply({|DSL0025:nameof(X), nameof(A), nameof(B)|}), Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Y: Multiply: Multiply takes exactly two tensors, not 3; chain two Multiply nodes instead");
    }
}
