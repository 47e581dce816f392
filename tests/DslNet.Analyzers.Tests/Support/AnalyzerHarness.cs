// Harness API (for rule, code-fix, corpus and robustness tests) — all static, all in-memory:
//   AnalyzerHarness.Analyze(params string[] sources) → AnalysisRun
//       Compiles the sources (paths /src/Source0.cs, /src/Source1.cs…) against the DslNet runtime, runs the
//       generator (updating the compilation), then every DslNet analyzer. AnalysisRun has:
//         .Dsl                  analyzer diagnostics (DSL…), sorted by position
//         .CompilerErrors       errors of the compilation after generation (CS…)
//         .GeneratorDiagnostics what the generator reported (must stay empty)
//         .AnalyzerExceptions   exceptions thrown inside analyzers (what would be AD0001; must stay empty)
//         .Compilation / .GeneratedSources
//   AnalyzerHarness.AnalyzeWithEditorConfig(source, editorConfigText) → AnalysisRun, with /src/.editorconfig applied.
//   AnalyzerHarness.Verify(markup) → IReadOnlyList<Diagnostic>
//       markup marks each expected diagnostic with {|DSL0006:3|}. Asserts the DSL diagnostics are exactly the
//       marked ones (ids and spans, in source order), and that there are no compiler errors, no generator
//       diagnostics and no analyzer exceptions. Returns the diagnostics (in the markup's order).
//       Verify(markup, allowCompilerErrors: true) for mistakes the compiler reports too (class not partial).
//   AnalyzerHarness.VerifySingle(markup, severity, message) → Diagnostic: Verify + exactly one diagnostic with that
//       severity and full message text.
//   AnalyzerHarness.Network(nodes, loss) wraps node declarations in `[Network(Loss = …)] public partial class Net`.
//   AnalyzerHarness.Analyzers: the analyzer instances (for a CodeFix test's own CompilationWithAnalyzers);
//   AnalyzerHarness.AnalyzeWith(analyzers, sources) runs other instances.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using DslNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslNet.Analyzers.Tests.Support;

/// <summary>What one compilation of test sources produced: generator output, analyzer findings, errors.</summary>
public sealed record AnalysisRun(
    Compilation Compilation,
    ImmutableArray<Diagnostic> Dsl,
    ImmutableArray<Diagnostic> CompilerErrors,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyList<Exception> AnalyzerExceptions,
    IReadOnlyList<(string HintName, string Text)> GeneratedSources)
{
    /// <summary>"DSL0006 (3,10)-(3,11): message" per diagnostic, for readable assertion failures.</summary>
    public string Describe() => string.Join("\n", Dsl.Concat(CompilerErrors).Select(AnalyzerHarness.Describe));
}

/// <summary>Compiles test sources with the DslNet generator and analyzers; see the API summary at the top of this file.</summary>
public static class AnalyzerHarness
{
    public const string Folder = "/src/";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer());

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The running test host's framework assemblies plus the DslNet runtime.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(DslNet.Network).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    /// <summary>Wraps node declarations in a network class <c>Demo.Net</c> with the given loss.</summary>
    public static string Network(string nodes, string loss = "Loss.SoftmaxCrossEntropy") => $$"""
        using DslNet;
        namespace Demo;
        [Network(Loss = {{loss}})]
        public partial class Net
        {
        {{nodes}}
        }
        """;

    public static CSharpCompilation Compile(IEnumerable<string> sources, SyntaxTreeOptionsProvider? treeOptions = null) =>
        CSharpCompilation.Create("TestNetworks",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"{Folder}Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSyntaxTreeOptionsProvider(treeOptions));

    public static AnalysisRun Analyze(params string[] sources) => Run(Compile(sources), Analyzers);

    /// <summary>Analyzes with other analyzer instances (e.g. a NetworkAnalyzer whose core throws).</summary>
    public static AnalysisRun AnalyzeWith(ImmutableArray<DiagnosticAnalyzer> analyzers, params string[] sources) => Run(Compile(sources), analyzers);

    /// <summary>Analyzes one source with an .editorconfig in its folder (e.g. "dotnet_diagnostic.DSL0006.severity = warning").</summary>
    public static AnalysisRun AnalyzeWithEditorConfig(string source, string editorConfig)
    {
        var config = AnalyzerConfig.Parse(editorConfig, Folder + ".editorconfig");
        return Run(Compile(new[] { source }, new EditorConfigTreeOptions(AnalyzerConfigSet.Create(ImmutableArray.Create(config)))), Analyzers);
    }

    private static AnalysisRun Run(CSharpCompilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var generated = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources)
            .Select(s => (s.HintName, s.SourceText.ToString())).ToList();

        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (e, _, _) => { lock (exceptions) exceptions.Add(e); },
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var analyzed = output.WithAnalyzers(analyzers, options);
        var all = analyzed.GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();

        var dsl = all.Where(d => d.Id.StartsWith("DSL", StringComparison.Ordinal)).OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).ToImmutableArray();
        var errors = all.Where(d => !d.Id.StartsWith("DSL", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        foreach (var ad in all.Where(d => d.Id == "AD0001")) exceptions.Add(new InvalidOperationException(ad.GetMessage()));
        return new AnalysisRun(output, dsl, errors, generatorDiagnostics, exceptions, generated);
    }

    /// <summary>
    /// Asserts that the DSL diagnostics of the marked-up source are exactly the marked ones, and nothing else went
    /// wrong. <paramref name="allowCompilerErrors"/> is for the few mistakes the compiler itself also reports
    /// (a class that is not partial).
    /// </summary>
    public static IReadOnlyList<Diagnostic> Verify(string markup, bool allowCompilerErrors = false)
    {
        var (source, expected) = Markup.Parse(markup);
        var run = Analyze(source);
        Assert.True(run.AnalyzerExceptions.Count == 0, "analyzer threw: " + string.Join("\n", run.AnalyzerExceptions));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "generator reported: " + string.Join("\n", run.GeneratorDiagnostics.Select(Describe)));
        if (!allowCompilerErrors)
            Assert.True(run.CompilerErrors.IsEmpty, "compiler errors:\n" + string.Join("\n", run.CompilerErrors.Select(Describe)));

        string Expected(ExpectedDiagnostic e) => $"{e.Id} [{e.Span.Start}..{e.Span.End}) '{e.Text}'";
        string Actual(Diagnostic d) => $"{d.Id} [{d.Location.SourceSpan.Start}..{d.Location.SourceSpan.End}) '{source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}'";
        var expectedText = expected.OrderBy(e => e.Span.Start).ThenBy(e => e.Id).Select(Expected).ToList();
        var actualText = run.Dsl.Select(Actual).ToList();
        Assert.True(expectedText.SequenceEqual(actualText),
            $"expected:\n  {string.Join("\n  ", expectedText)}\nactual:\n  {string.Join("\n  ", actualText)}\nmessages:\n  {string.Join("\n  ", run.Dsl.Select(Describe))}");
        return expected.Select(e => run.Dsl.First(d => d.Id == e.Id && d.Location.SourceSpan == e.Span)).ToList();
    }

    /// <summary>Verify, plus: exactly one diagnostic, with this severity and this full message.</summary>
    public static Diagnostic VerifySingle(string markup, DiagnosticSeverity severity, string message, bool allowCompilerErrors = false)
    {
        var diagnostics = Verify(markup, allowCompilerErrors);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(severity, diagnostic.Severity);
        return diagnostic;
    }

    public static string Describe(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return $"{d.Id} {d.Severity} ({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1}): {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>Applies .editorconfig severities to trees, as the compiler does from the files next to the sources.</summary>
    private sealed class EditorConfigTreeOptions(AnalyzerConfigSet configs) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            configs.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            configs.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
