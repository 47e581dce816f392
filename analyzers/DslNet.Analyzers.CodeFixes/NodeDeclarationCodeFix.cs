using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslNet.Analyzers.CodeFixes;

/// <summary>
/// DSL0002: rewrites a node property as <c>partial Tensor Name { get; }</c>, keeping its attributes,
/// its accessibility and its comments; a setter, a body or an initialiser is dropped (the generator
/// writes the getter, and a node is never assigned).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NodeDeclarationCodeFix)), Shared]
public sealed class NodeDeclarationCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "DSL0002.PartialTensor";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(FixableIds.NodeNotPartialTensor);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var property = root?.FindNode(context.Span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<PropertyDeclarationSyntax>().FirstOrDefault();
        if (property is null) return;
        string name = property.Identifier.ValueText;
        foreach (var diagnostic in context.Diagnostics)
            context.RegisterCodeFix(
                CodeAction.Create($"Declare '{name}' as 'partial Tensor {name} {{ get; }}'", ct => FixAsync(context.Document, property, ct), EquivalenceKey),
                diagnostic);
    }

    private static readonly SyntaxKind[] KeptModifiers =
        { SyntaxKind.PublicKeyword, SyntaxKind.InternalKeyword, SyntaxKind.ProtectedKeyword, SyntaxKind.PrivateKeyword, SyntaxKind.NewKeyword };

    private static async Task<Document> FixAsync(Document document, PropertyDeclarationSyntax property, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return document;

        // Accessibility (and 'new') stay; static, virtual, a setter, a body, an initialiser go.
        var modifiers = property.Modifiers.Where(m => KeptModifiers.Contains(m.Kind())).Select(m => m.Text).ToList();
        modifiers.Add("partial");
        string type = TensorTypeName(model, property);
        var rewritten = (PropertyDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"{string.Join(" ", modifiers)} {type} {property.Identifier.ValueText} {{ get; }}")!;

        // The first token after the attributes keeps its indentation; the line keeps its end.
        var firstToken = property.Modifiers.Count > 0 ? property.Modifiers[0] : property.Type.GetFirstToken();
        rewritten = rewritten
            .ReplaceToken(rewritten.GetFirstToken(), rewritten.GetFirstToken().WithLeadingTrivia(firstToken.LeadingTrivia))
            .WithAttributeLists(property.AttributeLists)
            .WithTrailingTrivia(property.GetTrailingTrivia());
        return document.WithSyntaxRoot(root.ReplaceNode(property, rewritten));
    }

    /// <summary>"Tensor" where that name means DslNet.Tensor at the property, else the full name.</summary>
    private static string TensorTypeName(SemanticModel model, PropertyDeclarationSyntax property)
    {
        var visible = model.LookupNamespacesAndTypes(property.SpanStart, name: "Tensor");
        return visible.Length == 1 && visible[0].ToDisplayString() == "DslNet.Tensor" ? "Tensor" : "global::DslNet.Tensor";
    }
}
