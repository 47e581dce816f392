using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslNet.Analyzers.CodeFixes;

/// <summary>
/// Small syntax helpers shared by the fixes: find the attribute a diagnostic points into, and set one
/// named argument on it (replacing the value when the argument is written, appending it otherwise).
/// </summary>
internal static class AttributeSyntaxEditing
{
    /// <summary>The attribute that contains <paramref name="node"/> (or is it), if any.</summary>
    public static AttributeSyntax? EnclosingAttribute(SyntaxNode? node) => node?.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();

    /// <summary>The simple name of an attribute as the user wrote it, without an "Attribute" suffix or a namespace.</summary>
    public static string SimpleName(AttributeSyntax attribute)
    {
        string name = attribute.Name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }

    /// <summary>The named argument <c>Name = …</c> of an attribute, if written.</summary>
    public static AttributeArgumentSyntax? NamedArgument(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    /// <summary>The attribute with <c>name = value</c>: the existing argument's value replaced, or the argument appended.</summary>
    public static AttributeSyntax WithNamedArgument(AttributeSyntax attribute, string name, ExpressionSyntax value)
    {
        if (NamedArgument(attribute, name) is { } existing)
            return attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));

        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
            null,
            value);
        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var separator = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        // Existing commas keep their trivia; the new one is followed by a space.
        var separators = list.Arguments.GetSeparators().ToList();
        if (list.Arguments.Count > 0) separators.Add(separator);
        var arguments = SyntaxFactory.SeparatedList(list.Arguments.Add(argument), separators);
        return attribute.WithArgumentList(list.WithArguments(arguments));
    }

    /// <summary>An integer literal (with a minus sign for negative values).</summary>
    public static ExpressionSyntax Number(int value) =>
        value < 0
            ? SyntaxFactory.PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(-value)))
            : SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));

    /// <summary><c>Padding.Same</c>.</summary>
    public static ExpressionSyntax PaddingSame() =>
        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName("Padding"), SyntaxFactory.IdentifierName("Same"));

    /// <summary>Parses an int written by the analyzer into a diagnostic property (invariant culture).</summary>
    public static bool TryInt(string? text, out int value) =>
        int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
}
