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
/// DSL0008 on a Dense that reads an image [C, H, W]: inserts <c>Flatten</c> just before it, in the
/// same attribute list. Only for Dense: the other wrong-rank cases (Conv2D after Flatten, Softmax on
/// an image…) have more than one reasonable repair, so they get none.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenCodeFix)), Shared]
public sealed class InsertFlattenCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "DSL0008.InsertFlatten";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(FixableIds.WrongRank);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var attribute = AttributeSyntaxEditing.EnclosingAttribute(root?.FindNode(context.Span, getInnermostNodeForTie: true));
        if (attribute is null || AttributeSyntaxEditing.SimpleName(attribute) != "Dense" || attribute.Parent is not AttributeListSyntax) return;
        foreach (var diagnostic in context.Diagnostics)
            context.RegisterCodeFix(
                CodeAction.Create("Insert Flatten before Dense", ct => FixAsync(context.Document, attribute, ct), EquivalenceKey),
                diagnostic);
    }

    private static async Task<Document> FixAsync(Document document, AttributeSyntax dense, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || dense.Parent is not AttributeListSyntax list) return document;

        // Written the way the Dense is written: Flatten, DslNet.Flatten or global::DslNet.Flatten.
        NameSyntax name = dense.Name switch
        {
            QualifiedNameSyntax qualified => qualified.WithRight(SyntaxFactory.IdentifierName("Flatten")),
            AliasQualifiedNameSyntax alias => alias.WithName(SyntaxFactory.IdentifierName("Flatten")),
            _ => SyntaxFactory.IdentifierName("Flatten"),
        };
        var flatten = SyntaxFactory.Attribute(name.WithoutTrivia());
        // Flatten goes just before the Dense, followed by ", "; the list's other commas keep their trivia.
        int index = list.Attributes.IndexOf(dense);
        var attributes = list.Attributes.ToList();
        attributes.Insert(index, flatten);
        var separators = list.Attributes.GetSeparators().ToList();
        separators.Insert(index, SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
        var newList = list.WithAttributes(SyntaxFactory.SeparatedList(attributes, separators));
        return document.WithSyntaxRoot(root.ReplaceNode(list, newList));
    }
}
