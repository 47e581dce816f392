using System;
using System.Collections.Immutable;
using DslNet.Analyzers.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>The analyzer's safety net: a failure of its own becomes DSL0999, never the compiler's AD0001.</summary>
public class AnalyzerFailureTests
{
    [Fact]
    public void DSL0999_an_exception_inside_the_analysis_becomes_a_warning_at_the_class_name()
    {
        var throwing = new NetworkAnalyzer((_, _, _) => throw new InvalidOperationException("boom"));
        var (source, expected) = Markup.Parse(AnalyzerHarness.Network("""
            [Input(4)] public partial Tensor X { get; }
            [Dense(2)] public partial Tensor Y { get; }
            """).Replace("partial class Net", "partial class {|DSL0999:Net|}"));

        var run = AnalyzerHarness.AnalyzeWith(ImmutableArray.Create<DiagnosticAnalyzer>(throwing), source);

        Assert.Empty(run.AnalyzerExceptions);
        var diagnostic = Assert.Single(run.Dsl);
        Assert.Equal("DSL0999", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(Assert.Single(expected).Span, diagnostic.Location.SourceSpan);
        Assert.Equal("The DslNet analyzer failed on network 'Net' (InvalidOperationException: boom); please report this with the network's source",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
