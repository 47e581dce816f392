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
/// Sets the padding of one window layer so that it keeps (or gives) a size, when the engine found
/// exactly one layer whose padding repairs the finding:
/// <list type="bullet">
/// <item>DSL0009 / DSL0010: an Add or Concat whose input lost its spatial size in a single unpadded
/// stride-1 window — "Set Padding = Padding.Same to keep 28×28" on that layer (the diagnostic's
/// additional location);</item>
/// <item>DSL0018: a Padding.Same that cannot be symmetric, where an explicit symmetric padding gives
/// the same output — "Set Padding = 1 to get 14×14".</item>
/// </list>
/// The value is the diagnostic's <see cref="FixHints.Padding"/> property: "Same" or a number.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(KeepSizePaddingCodeFix)), Shared]
public sealed class KeepSizePaddingCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "DSL.KeepSizePadding";

    public override ImmutableArray<string> FixableDiagnosticIds =>
        ImmutableArray.Create(FixableIds.MergeShapeMismatch, FixableIds.ConcatMismatch, FixableIds.AsymmetricSame);

    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Padding, out string? padding) || padding is null) continue;
            diagnostic.Properties.TryGetValue(FixHints.Size, out string? size);
            // The layer to change: the additional location when the finding is elsewhere (at the merge), else the finding's own.
            var location = diagnostic.AdditionalLocations.FirstOrDefault() ?? diagnostic.Location;
            if (!location.IsInSource) continue;
            var document = context.Document.Project.Solution.GetDocument(location.SourceTree);
            if (document is null) continue;
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var attribute = AttributeSyntaxEditing.EnclosingAttribute(root?.FindNode(location.SourceSpan, getInnermostNodeForTie: true));
            if (attribute is null) continue;

            bool same = padding == "Same";
            if (!same && !AttributeSyntaxEditing.TryInt(padding, out _)) continue;
            var value = same ? AttributeSyntaxEditing.PaddingSame() : AttributeSyntaxEditing.Number(int.Parse(padding, System.Globalization.CultureInfo.InvariantCulture));
            string written = same ? "Padding.Same" : padding;
            string title = diagnostic.Id == FixableIds.AsymmetricSame
                ? $"Set Padding = {written} (symmetric) to get {size}"
                : $"Set Padding = {written} to keep {size}";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => SetAsync(document, attribute, value, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Solution> SetAsync(Document document, AttributeSyntax attribute, ExpressionSyntax value, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document.Project.Solution;
        return document.WithSyntaxRoot(root.ReplaceNode(attribute, AttributeSyntaxEditing.WithNamedArgument(attribute, "Padding", value))).Project.Solution;
    }
}
