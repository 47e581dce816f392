using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslNet.Analyzers.CodeFixes;

/// <summary>
/// DSL0006 (a stride that never reads the last rows or columns): one action per value the diagnostic
/// suggests — each stride that tiles the input with the padding as written ("Change Stride to 3"), and
/// the smallest padding that tiles it with the stride as written ("Set Padding = 1"). The values come
/// from the diagnostic's properties (<see cref="FixHints"/>), computed by the shape engine.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StrideCodeFix)), Shared]
public sealed class StrideCodeFix : CodeFixProvider
{
    public const string StrideKeyPrefix = "DSL0006.Stride=";
    public const string PaddingKeyPrefix = "DSL0006.Padding=";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(FixableIds.StrideDropsInput);

    public override FixAllProvider? GetFixAllProvider() => null; // each stride is a choice per layer

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var located = root?.FindNode(context.Span, getInnermostNodeForTie: true);
        var attribute = AttributeSyntaxEditing.EnclosingAttribute(located);
        if (attribute is null) return;
        // The stride argument the diagnostic points at (Stride, StrideHeight or StrideWidth); a defaulted
        // stride (a pooling layer's, equal to its kernel) is pointed at by the attribute name: write Stride.
        string strideName = located?.AncestorsAndSelf().OfType<AttributeArgumentSyntax>().FirstOrDefault()?.NameEquals?.Name.Identifier.ValueText ?? "Stride";
        if (!strideName.StartsWith("Stride", System.StringComparison.Ordinal)) return;

        foreach (var diagnostic in context.Diagnostics)
        {
            diagnostic.Properties.TryGetValue(FixHints.Strides, out string? strides);
            foreach (string text in (strides ?? "").Split(','))
            {
                if (!AttributeSyntaxEditing.TryInt(text, out int stride)) continue;
                context.RegisterCodeFix(
                    CodeAction.Create($"Change {strideName} to {stride}",
                        ct => SetAsync(context.Document, attribute, strideName, AttributeSyntaxEditing.Number(stride), ct),
                        StrideKeyPrefix + stride.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    diagnostic);
            }
            // The engine suggests a padding only for an attribute whose axes share one Padding argument.
            if (diagnostic.Properties.TryGetValue(FixHints.TilingPadding, out string? paddingText) && AttributeSyntaxEditing.TryInt(paddingText, out int padding))
                context.RegisterCodeFix(
                    CodeAction.Create($"Set Padding = {padding}",
                        ct => SetAsync(context.Document, attribute, "Padding", AttributeSyntaxEditing.Number(padding), ct),
                        PaddingKeyPrefix + padding.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    diagnostic);
        }
    }

    private static async Task<Document> SetAsync(Document document, AttributeSyntax attribute, string name, ExpressionSyntax value, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        return document.WithSyntaxRoot(root.ReplaceNode(attribute, AttributeSyntaxEditing.WithNamedArgument(attribute, name, value)));
    }
}
