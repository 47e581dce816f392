using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslNet.Analyzers.CodeFixes;

/// <summary>
/// DSL0014 (a size assertion such as <c>InFeatures = 400</c> or <c>InChannels = 3</c> that disagrees
/// with the inferred shape) and DSL0013 (a one-axis <c>Reshape(n)</c> with the wrong element count):
/// writes the value the engine inferred, given in the diagnostic's <see cref="FixHints.Inferred"/>
/// property. A multi-axis Reshape has no single right answer, so the engine gives no value for it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InferredSizeCodeFix)), Shared]
public sealed class InferredSizeCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "DSL0013-14.Inferred";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(FixableIds.SizeAssertion, FixableIds.ReshapeCount);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var located = root?.FindNode(context.Span, getInnermostNodeForTie: true);
        var attribute = AttributeSyntaxEditing.EnclosingAttribute(located);
        if (attribute is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Inferred, out string? text) || !AttributeSyntaxEditing.TryInt(text, out int value)) continue;
            if (diagnostic.Id == FixableIds.ReshapeCount)
            {
                context.RegisterCodeFix(
                    CodeAction.Create($"Change to Reshape({value}), the input's element count",
                        ct => ReplaceAsync(context.Document, attribute, WithSingleArgument(attribute, value), ct),
                        EquivalenceKey),
                    diagnostic);
                continue;
            }
            // InFeatures / InChannels: the named argument the diagnostic points at.
            var argument = located?.AncestorsAndSelf().OfType<AttributeArgumentSyntax>().FirstOrDefault();
            if (argument?.NameEquals is not { } name) continue;
            context.RegisterCodeFix(
                CodeAction.Create($"Set {name.Name.Identifier.ValueText} = {value}, the inferred size",
                    ct => ReplaceAsync(context.Document, attribute, AttributeSyntaxEditing.WithNamedArgument(attribute, name.Name.Identifier.ValueText, AttributeSyntaxEditing.Number(value)), ct),
                    EquivalenceKey),
                diagnostic);
        }
    }

    /// <summary><c>Reshape(value)</c>: the one size replaced, any other text of the attribute kept.</summary>
    private static AttributeSyntax WithSingleArgument(AttributeSyntax attribute, int value) =>
        attribute.WithArgumentList(SyntaxFactory.AttributeArgumentList(
            SyntaxFactory.SingletonSeparatedList(SyntaxFactory.AttributeArgument(AttributeSyntaxEditing.Number(value)))));

    private static async Task<Document> ReplaceAsync(Document document, AttributeSyntax attribute, AttributeSyntax replacement, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(attribute, replacement));
    }
}
