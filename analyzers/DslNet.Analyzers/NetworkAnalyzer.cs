using System;
using System.Collections.Immutable;
using System.Linq;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslNet.Analyzers;

/// <summary>
/// Reports every finding of the shape engine (DSL0001…) on a [Network] class, at the attribute argument
/// that causes it. It runs the same parser and engine as the generator (linked sources), so a message
/// shows exactly the shapes the generated code would have used. It never throws: a failure of its own
/// becomes DSL0999 rather than the compiler's AD0001.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Rules about the declaration itself, which stay meaningful while attribute arguments have compile errors.</summary>
    private static readonly ImmutableHashSet<string> StructuralRules = ImmutableHashSet.Create(
        DiagnosticCatalog.NotPartial, DiagnosticCatalog.NodeNotPartialTensor, DiagnosticCatalog.ForeignBaseType);

    private readonly Action<SymbolAnalysisContext, INamedTypeSymbol, DiagnosticLocator> _analyze;

    public NetworkAnalyzer() : this(Analyze)
    {
    }

    /// <summary>Runs another analysis inside the same safety net (tests use one that throws, to see DSL0999).</summary>
    internal NetworkAnalyzer(Action<SymbolAnalysisContext, INamedTypeSymbol, DiagnosticLocator> analyze) => _analyze = analyze;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DslDescriptors.All;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? networkAttribute;
            try
            {
                networkAttribute = start.Compilation.GetTypeByMetadataName(NetworkParser.NetworkAttributeName);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return; // nothing can be reported from here; without the attribute type there is nothing to analyze
            }
            if (networkAttribute is null) return; // DslNet is not referenced
            start.RegisterSymbolAction(symbol => AnalyzeSafely(symbol, networkAttribute), SymbolKind.NamedType);
        });
    }

    private void AnalyzeSafely(SymbolAnalysisContext context, INamedTypeSymbol networkAttribute)
    {
        if (context.Symbol is not INamedTypeSymbol type) return;
        DiagnosticLocator? locator = null;
        try
        {
            var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, networkAttribute));
            if (attribute is null) return;
            locator = new DiagnosticLocator(type, attribute, context.CancellationToken);
            _analyze(context, type, locator);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Location location;
            try { location = locator?.ClassLocation() ?? type.Locations.FirstOrDefault() ?? Location.None; }
            catch (Exception) { location = Location.None; }
            context.ReportDiagnostic(Diagnostic.Create(DslDescriptors.AnalyzerFailure, location, type.Name, e.GetType().Name, e.Message));
        }
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type, DiagnosticLocator locator)
    {
        var model = NetworkParser.Parse(type, context.CancellationToken);
        var (_, diagnostics) = ShapeInference.Run(model);
        foreach (var finding in diagnostics)
        {
            // With compile errors in the attributes, the model holds guesses (a missing argument reads as 0):
            // the compiler's own error speaks, and shape findings would only be noise.
            if (model.HasCompileErrors && !StructuralRules.Contains(finding.Id)) continue;
            var descriptor = DslDescriptors.ById[finding.Id];
            // The engine's fix hints travel as the diagnostic's properties, and the place a fix edits (when
            // not the finding's own) as its additional location: the code fixes read both.
            var additional = finding.FixTarget is { } fixTarget ? new[] { locator.Locate(fixTarget) } : null;
            context.ReportDiagnostic(Diagnostic.Create(descriptor, locator.Locate(finding.Target), additional, FixProperties(finding), finding.Arguments.ToArray()));
        }
    }

    /// <summary>The finding's "key=value" hints as diagnostic properties.</summary>
    private static ImmutableDictionary<string, string?>? FixProperties(DslDiagnostic finding)
    {
        if (finding.Hints.IsEmpty) return null;
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        foreach (string hint in finding.Hints)
        {
            int equals = hint.IndexOf('=');
            if (equals > 0) properties[hint.Substring(0, equals)] = hint.Substring(equals + 1);
        }
        return properties.ToImmutable();
    }
}
