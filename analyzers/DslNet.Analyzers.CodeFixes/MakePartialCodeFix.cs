using System.Collections.Generic;
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
/// DSL0001: adds <c>partial</c> to every declaration of the network class and of each class that
/// contains it (the generator adds its half inside the same nesting), in whichever files they are.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "DSL0001.MakePartial";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(FixableIds.NotPartial);

    public override FixAllProvider? GetFixAllProvider() => null; // one class per diagnostic; a batch would edit the same declarations twice

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        var declaration = root.FindNode(context.Span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
        if (declaration is null || model.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type) return;

        bool nested = type.ContainingType is not null;
        string title = nested ? $"Make '{type.Name}' and its containing classes partial" : $"Make '{type.Name}' partial";
        foreach (var diagnostic in context.Diagnostics)
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => MakePartialAsync(context.Document.Project.Solution, type, ct), EquivalenceKey),
                diagnostic);
    }

    private static async Task<Solution> MakePartialAsync(Solution solution, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        // Every declaration of the class and of its containing types, grouped by file.
        var declarations = new List<SyntaxReference>();
        for (var current = type; current is not null; current = current.ContainingType)
            declarations.AddRange(current.DeclaringSyntaxReferences);

        foreach (var byTree in declarations.GroupBy(r => r.SyntaxTree))
        {
            var document = solution.GetDocument(byTree.Key);
            if (document is null) continue;
            var root = await byTree.Key.GetRootAsync(cancellationToken).ConfigureAwait(false);
            var nodes = byTree.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
            var newRoot = root.ReplaceNodes(nodes, (_, rewritten) => WithPartial(rewritten));
            solution = solution.WithDocumentSyntaxRoot(document.Id, newRoot);
        }
        return solution;
    }

    /// <summary>The declaration with <c>partial</c> as its last modifier (where C# requires it), keeping its trivia.</summary>
    internal static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) return declaration;
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count == 0)
        {
            // "class X" → "partial class X": the keyword's indentation moves to the new first token.
            var keyword = declaration.Keyword;
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(partial));
    }
}
