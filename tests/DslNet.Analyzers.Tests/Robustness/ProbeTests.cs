using System;
using System.Collections.Immutable;
using DslNet.Analyzers.Tests.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslNet.Analyzers.Tests.Robustness;

/// <summary>The probe behind the mutation tests does see a generator or an analyzer that throws (so those tests can fail).</summary>
public class ProbeTests
{
    private static string Valid => CorpusSources.Read("Valid", "Mlp.cs");

    [Fact]
    public void Sees_nothing_wrong_with_the_real_tools_on_a_valid_network() => Assert.Null(ToolchainProbe.Failure(Valid));

    [Fact]
    public void Sees_a_generator_that_throws() =>
        Assert.Contains("generator", ToolchainProbe.Failure(Valid, generator: new ThrowingGenerator().AsSourceGenerator()));

    [Fact]
    public void Sees_an_analyzer_that_throws() =>
        Assert.Contains("analyzer", ToolchainProbe.Failure(Valid, analyzers: ImmutableArray.Create<DiagnosticAnalyzer>(new ThrowingAnalyzer())));

    private sealed class ThrowingGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, (_, _) => throw new InvalidOperationException("generator bug"));
    }

    // A test double handed to CompilationWithAnalyzers directly, never shipped (so no release tracking).
#pragma warning disable RS2008, RS1001
    private sealed class ThrowingAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("TEST0001", "t", "t", "t", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(_ => throw new InvalidOperationException("analyzer bug"), SymbolKind.NamedType);
        }
    }
#pragma warning restore RS2008, RS1001
}
