using Microsoft.CodeAnalysis;
using Xunit;
using static DslNet.Analyzers.Tests.Support.AnalyzerHarness;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>How a network class and its nodes are declared.</summary>
public class DeclarationRuleTests
{
    [Fact]
    public void DSL0001_a_network_class_that_is_not_partial_is_reported_at_its_name()
    {
        // The compiler also rejects partial properties in a non-partial class (CS0751); DSL0001 says why.
        VerifySingle("""
            using DslNet;
            namespace Demo;
            [Network]
            public class {|DSL0001:Net|}
            {
                [Input(4)] public partial Tensor X { get; }
                [Dense(2)] public partial Tensor Y { get; }
            }
            """, DiagnosticSeverity.Error,
            "Network 'Net' must be declared partial (and so must any class containing it) so that the generator can add its forward and backward code",
            allowCompilerErrors: true);
    }

    [Fact]
    public void DSL0001_a_containing_class_that_is_not_partial_counts_too()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            public class Outer
            {
                [Network]
                public partial class {|DSL0001:Net|}
                {
                    [Input(4)] public partial Tensor X { get; }
                    [Dense(2)] public partial Tensor Y { get; }
                }
            }
            """, DiagnosticSeverity.Error,
            "Network 'Net' must be declared partial (and so must any class containing it) so that the generator can add its forward and backward code",
            allowCompilerErrors: true);
    }

    [Fact]
    public void DSL0002_a_node_that_is_not_a_partial_property_is_reported_at_its_name()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(2)] public Tensor {|DSL0002:Y|} { get; }
            """), DiagnosticSeverity.Error, "Node 'Y' must be declared as 'partial Tensor Y { get; }'");
    }

    [Fact]
    public void A_plain_tensor_property_without_attributes_is_a_helper_not_a_node()
    {
        Verify(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(2)] public partial Tensor Y { get; }
            public Tensor Scores => Y;
            """));
    }

    [Fact]
    public void DSL0024_a_generic_network_is_not_supported_and_its_stub_still_compiles()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            public partial class Outer<TKey>
            {
                [Network]
                public partial class {|DSL0024:Net|}<T> where T : class
                {
                    [Input(4)] public partial Tensor X { get; }
                    [Dense(2)] public partial Tensor Y { get; }
                }
            }
            """, DiagnosticSeverity.Error,
            "Net: a network cannot be generic (nor nested in a generic class): its shapes and code are fixed at compile time; remove the type parameters");
    }

    [Fact]
    public void DSL0003_a_network_without_input_is_reported_at_the_class_name()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            [Network]
            public partial class {|DSL0003:Net|}
            {
                [Dense(4)] public partial Tensor A { get; }
                [Dense(2)] public partial Tensor Y { get; }
            }
            """, DiagnosticSeverity.Error, "Network 'Net' has no [Input] node: mark the first node with [Input(...)] and its per-sample shape");
    }

    [Fact]
    public void DSL0003_an_empty_network_with_a_loss_reports_only_the_missing_input()
    {
        // Regression: the loss check once asked an empty network for its output node and threw (DSL0999).
        VerifySingle("""
            using DslNet;
            namespace Demo;
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class {|DSL0003:Net|}
            {
            }
            """, DiagnosticSeverity.Error, "Network 'Net' has no [Input] node: mark the first node with [Input(...)] and its per-sample shape");
    }

    [Fact]
    public void DSL0017_a_node_nothing_reads_is_a_warning_at_its_name()
    {
        VerifySingle(Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(3)] public partial Tensor {|DSL0017:Side|} { get; }
            [From(nameof(X)), Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Warning, "Node 'Side' is not read by any later node and is not an output");
    }

    [Fact]
    public void DSL0020_a_network_with_another_base_class_is_reported_at_the_base_class()
    {
        VerifySingle("""
            using DslNet;
            namespace Demo;
            public class Model { }
            [Network]
            public partial class Net : {|DSL0020:Model|}
            {
                [Input(4)] public partial Tensor X { get; }
                [Dense(2)] public partial Tensor Y { get; }
            }
            """, DiagnosticSeverity.Error,
            "Network 'Net' derives from 'Demo.Model'; a network derives from DslNet.Network, which the generator adds");
    }

    [Fact]
    public void DSL0021_an_input_size_below_one_is_reported_at_that_size()
    {
        VerifySingle(Network("""
            [Input(1, {|DSL0021:0|}, 28)] public partial Tensor X { get; }
            [Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Input 'X': size 0 in [1, 0, 28] must be at least 1");
    }

    [Fact]
    public void DSL0021_an_input_with_a_batch_axis_is_reported_at_the_attribute()
    {
        VerifySingle(Network("""
            [{|DSL0021:Input(32, 1, 28, 28)|}] public partial Tensor X { get; }
            [Flatten, Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error,
            "Input 'X': [32, 1, 28, 28] has 4 axes; DslNet inputs have 1 to 3 (features; T, features; C, H, W) and never declare the batch");
    }

    [Fact]
    public void DSL0023_a_first_node_that_is_not_an_input_has_nothing_to_read()
    {
        VerifySingle(Network("""
            [Dense(4)] public partial Tensor {|DSL0023:A|} { get; }
            [Input(4)] public partial Tensor X { get; }
            [Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Node 'A' is the first node but is not an [Input]; add [Input(...)] or [From(nameof(...))]");
    }

    [Fact]
    public void DSL0024_token_inputs_are_not_supported_yet()
    {
        VerifySingle(Network("""
            [{|DSL0024:Input(16, Type = typeof(int))|}] public partial Tensor Tokens { get; }
            [Dense(2)] public partial Tensor Y { get; }
            """), DiagnosticSeverity.Error, "Tokens: token inputs need an Embedding layer, which this version does not have yet");
    }
}
