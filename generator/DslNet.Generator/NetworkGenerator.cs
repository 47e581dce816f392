using System;
using System.Linq;
using DslNet.Generator.Emit;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DslNet.Generator;

/// <summary>
/// The incremental generator: [Network] class → equatable model → shape inference → source.
/// It reports nothing (the analyzers do), so the user sees each mistake once, from the analyzer, at the
/// offending argument. For a network with errors it writes only a throwing stub (see <see cref="StubEmitter"/>)
/// so that the compiler has no errors of its own and the command-line build shows the DSL diagnostics.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Names of the pipeline steps, tracked so tests can prove that unrelated edits reuse cached output.</summary>
    public static class Steps
    {
        public const string Model = "DslNet.Model";
        public const string Plan = "DslNet.Plan";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.NetworkAttributeName,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: static (ctx, ct) => ctx.TargetSymbol is INamedTypeSymbol type ? SafeParse(type, ct) : null)
            .WithTrackingName(Steps.Model);

        var plans = models
            .Select(static (model, _) => model is null ? null : new PlannedNetwork(model, SafePlan(model)))
            .WithTrackingName(Steps.Plan);

        context.RegisterSourceOutput(plans, static (spc, planned) =>
        {
            if (planned is null) return;
            string? source;
            try
            {
                source = planned.Plan is { } plan ? NetworkEmitter.Emit(plan) : StubEmitter.Emit(planned.Model);
            }
            catch (Exception)
            {
                return; // never take the IDE down; an invalid plan is already reported by the analyzers
            }
            if (source is not null) spc.AddSource(HintName(planned.Model), SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }

    /// <summary>A network and its plan; the plan is null when the network has errors (then only a stub is written).</summary>
    private sealed record PlannedNetwork(NetworkModel Model, NetworkPlan? Plan);

    private static NetworkModel? SafeParse(INamedTypeSymbol type, System.Threading.CancellationToken ct)
    {
        try
        {
            return NetworkParser.Parse(type, ct);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static NetworkPlan? SafePlan(NetworkModel model)
    {
        try
        {
            return ShapeInference.Run(model).Plan;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static string HintName(NetworkModel model) =>
        new string(model.FullName.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_').ToArray()) + ".g.cs";
}
