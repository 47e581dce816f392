using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DslNet.Analyzers.Tests.Robustness;

/// <summary>The edits a person makes while typing (and a few no person would), applied to a valid network.</summary>
public enum MutationKind
{
    DeleteToken,
    DuplicateToken,
    Truncate,
    SwapNumber,
    SwapNameof,
}

/// <summary>
/// One mutation of one corpus source: <see cref="Kind"/>, where (<see cref="Position"/>, taken modulo the
/// number of places the kind applies to) and with what (<see cref="Choice"/>, modulo the replacements).
/// Printed as such, so a failing case from FsCheck reads as the edit that broke things.
/// </summary>
public sealed record Mutation(string Source, MutationKind Kind, int Position, int Choice)
{
    /// <summary>The numbers a literal is swapped for: zero, negative, and the edges of int.</summary>
    public static readonly string[] Numbers = { "0", "-1", int.MaxValue.ToString(CultureInfo.InvariantCulture), int.MinValue.ToString(CultureInfo.InvariantCulture) };

    public string Apply(string text)
    {
        var shape = SourceShape.Of(text);
        switch (Kind)
        {
            case MutationKind.DeleteToken:
            {
                var span = shape.Tokens[Position % shape.Tokens.Count];
                return text.Remove(span.Start, span.Length);
            }
            case MutationKind.DuplicateToken:
            {
                var span = shape.Tokens[Position % shape.Tokens.Count];
                return text.Insert(span.End, " " + text.Substring(span.Start, span.Length));
            }
            case MutationKind.Truncate:
                return text.Substring(0, Position % (text.Length + 1));
            case MutationKind.SwapNumber:
            {
                if (shape.Numbers.Count == 0) return text;
                var span = shape.Numbers[Position % shape.Numbers.Count];
                return text.Remove(span.Start, span.Length).Insert(span.Start, Numbers[Choice % Numbers.Length]);
            }
            case MutationKind.SwapNameof:
            {
                if (shape.NameofArguments.Count == 0) return text;
                var span = shape.NameofArguments[Position % shape.NameofArguments.Count];
                // Another node, the class itself, a later node (a cycle), or a name that does not exist.
                var names = shape.Identifiers.Append("Missing").ToList();
                return text.Remove(span.Start, span.Length).Insert(span.Start, names[Choice % names.Count]);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null);
        }
    }

    public override string ToString() => $"{Kind} in {Source} at {Position} with choice {Choice}";
}

/// <summary>Where the tokens, numeric literals and nameof arguments of a source are (computed once per text).</summary>
internal sealed class SourceShape
{
    private static readonly Dictionary<string, SourceShape> Cache = new();

    public IReadOnlyList<TextSpan> Tokens { get; private init; } = Array.Empty<TextSpan>();
    public IReadOnlyList<TextSpan> Numbers { get; private init; } = Array.Empty<TextSpan>();
    public IReadOnlyList<TextSpan> NameofArguments { get; private init; } = Array.Empty<TextSpan>();
    public IReadOnlyList<string> Identifiers { get; private init; } = Array.Empty<string>();

    public static SourceShape Of(string text)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(text, out var known)) return known;
            var root = CSharpSyntaxTree.ParseText(text).GetRoot();
            var tokens = root.DescendantTokens().Where(t => t.Span.Length > 0).ToList();
            var shape = new SourceShape
            {
                Tokens = tokens.Select(t => t.Span).ToList(),
                Numbers = tokens.Where(t => t.IsKind(SyntaxKind.NumericLiteralToken)).Select(t => t.Span).ToList(),
                NameofArguments = root.DescendantNodes().OfType<InvocationExpressionSyntax>()
                    .Where(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" } && i.ArgumentList.Arguments.Count == 1)
                    .Select(i => i.ArgumentList.Arguments[0].Span).ToList(),
                Identifiers = root.DescendantNodes().OfType<PropertyDeclarationSyntax>().Select(p => p.Identifier.ValueText)
                    .Concat(root.DescendantNodes().OfType<ClassDeclarationSyntax>().Select(c => c.Identifier.ValueText))
                    .Distinct().ToList(),
            };
            Cache[text] = shape;
            return shape;
        }
    }
}
