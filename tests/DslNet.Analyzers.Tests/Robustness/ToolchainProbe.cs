using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DslNet.Analyzers.Tests.Support;
using DslNet.Generator;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslNet.Analyzers.Tests.Robustness;

/// <summary>
/// Runs the generator and the analyzers on one (possibly broken) source as cheaply as possible and says
/// whether anything threw. It reuses one compilation's parsed metadata references, does not compile the
/// generated code, asks only for the analyzers' diagnostics (the analyzers read the user's declarations,
/// not the generated half), and checks every channel a failure can surface through:
/// an exception in the generator driver result, the generator-failure warning CS8785, an analyzer
/// exception (AD0001, or the analyzer's own DSL0999 for one it caught), and an exception handed to the
/// analyzer host.
/// </summary>
internal static class ToolchainProbe
{
    /// <summary>An empty compilation holding the parsed references; each probe adds one tree to it.</summary>
    private static readonly CSharpCompilation Empty = AnalyzerHarness.Compile(Array.Empty<string>());

    private static readonly ISourceGenerator Generator = new NetworkGenerator().AsSourceGenerator();

    /// <summary>Null when nothing threw; otherwise what failed and how. (Other tools can be given to test the probe itself.)</summary>
    public static string? Failure(string source, ISourceGenerator? generator = null, ImmutableArray<DiagnosticAnalyzer>? analyzers = null)
    {
        var tree = CSharpSyntaxTree.ParseText(source, AnalyzerHarness.ParseOptions, path: AnalyzerHarness.Folder + "Source0.cs");
        var compilation = Empty.AddSyntaxTrees(tree);

        // The generator's own output is not compiled: what matters here is that producing it did not throw.
        var run = CSharpGeneratorDriver.Create(new[] { generator ?? Generator }, parseOptions: AnalyzerHarness.ParseOptions)
            .RunGenerators(compilation).GetRunResult();
        var problems = new List<string>();
        foreach (var result in run.Results)
            if (result.Exception is { } e) problems.Add("generator threw: " + e);
        foreach (var d in run.Diagnostics)
            problems.Add("generator reported: " + d);

        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (e, _, _) => { lock (exceptions) exceptions.Add(e); },
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var diagnostics = compilation.WithAnalyzers(analyzers ?? AnalyzerHarness.Analyzers, options)
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        problems.AddRange(exceptions.Select(e => "analyzer threw: " + e));
        problems.AddRange(diagnostics.Where(d => d.Id is "AD0001" or DiagnosticCatalog.AnalyzerFailure).Select(d => "analyzer failed: " + d));
        return problems.Count == 0 ? null : string.Join("\n", problems);
    }
}
