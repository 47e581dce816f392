using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DslNet.Analyzers;

/// <summary>
/// Maps an engine <see cref="DiagnosticTarget"/> (plain indices and names) back to the syntax the user
/// wrote, using the parser's own order of nodes and ops:
/// <list type="bullet">
/// <item>class → the class identifier; the base-class target → the base type in the base list; (of the declaration carrying [Network]); with an argument name,
/// that argument of [Network] (e.g. <c>Loss = Loss.SoftmaxCrossEntropy</c>);</item>
/// <item>node → the property identifier;</item>
/// <item>op → the whole attribute (<c>Dense(10)</c>); <see cref="DiagnosticTarget.InputAttribute"/> → the node's [Input] attribute;</item>
/// <item>op + argument → the argument expression (<c>3</c> in <c>Stride = 3</c>; with an index, that element of a
/// params array, e.g. the second <c>nameof(B)</c> of <c>Add(nameof(A), nameof(B))</c>); when the argument was not
/// written (a default applies), the attribute name.</item>
/// </list>
/// Anything that cannot be found falls back to the next coarser target, never to nothing.
/// </summary>
internal sealed class DiagnosticLocator
{
    private readonly INamedTypeSymbol _type;
    private readonly AttributeData? _networkAttribute;
    private readonly List<IPropertySymbol> _nodes;
    private readonly CancellationToken _cancellationToken;

    public DiagnosticLocator(INamedTypeSymbol type, AttributeData? networkAttribute, CancellationToken cancellationToken)
    {
        _type = type;
        _networkAttribute = networkAttribute;
        _nodes = NetworkParser.NodeProperties(type).ToList();
        _cancellationToken = cancellationToken;
    }

    public Location Locate(DiagnosticTarget target)
    {
        if (target.Node < 0 || target.Node >= _nodes.Count)
        {
            if (target.Argument == DiagnosticTarget.BaseTypeArgument) return BaseTypeLocation();
            return target.Argument is { } name && AttributeSyntax(_networkAttribute) is { } network
                ? ArgumentLocation(_networkAttribute!, network, name, -1)
                : ClassLocation();
        }

        var property = _nodes[target.Node];
        if (target.Op >= 0 || target.Op == DiagnosticTarget.InputAttribute)
        {
            var attribute = target.Op >= 0
                ? NetworkParser.LayerAttributes(property).ElementAtOrDefault(target.Op)
                : property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "DslNet.InputAttribute");
            if (AttributeSyntax(attribute) is { } syntax)
                return target.Argument is null ? syntax.GetLocation() : ArgumentLocation(attribute!, syntax, target.Argument, target.Index);
        }
        return PropertyLocation(property);
    }

    public Location ClassLocation()
    {
        if (AttributeSyntax(_networkAttribute)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } declaration)
            return declaration.Identifier.GetLocation();
        foreach (var reference in _type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax type)
                return type.Identifier.GetLocation();
        return _type.Locations.FirstOrDefault() ?? Location.None;
    }

    /// <summary>The base class as written: the first type of the base list (C# lists the base class first), or the class identifier.</summary>
    private Location BaseTypeLocation()
    {
        foreach (var reference in _type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax { BaseList: { } bases } && bases.Types.Count > 0)
                return bases.Types[0].GetLocation();
        return ClassLocation();
    }

    private Location PropertyLocation(IPropertySymbol property)
    {
        foreach (var reference in property.DeclaringSyntaxReferences)
            if (reference.GetSyntax(_cancellationToken) is PropertyDeclarationSyntax declaration)
                return declaration.Identifier.GetLocation();
        return property.Locations.FirstOrDefault() ?? ClassLocation();
    }

    private AttributeSyntax? AttributeSyntax(AttributeData? attribute) =>
        attribute?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;

    /// <summary>The expression of the argument bound to <paramref name="name"/> (a property or a constructor parameter).</summary>
    private static Location ArgumentLocation(AttributeData data, AttributeSyntax syntax, string name, int index)
    {
        var arguments = syntax.ArgumentList?.Arguments ?? default;
        foreach (var argument in arguments)
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
                return argument.Expression.GetLocation();

        var parameters = data.AttributeConstructor?.Parameters ?? default;
        int ordinal = -1;
        if (!parameters.IsDefault)
            for (int i = 0; i < parameters.Length && ordinal < 0; i++)
                if (parameters[i].Name == name) ordinal = i;
        if (ordinal >= 0)
        {
            foreach (var argument in arguments)
                if (argument.NameColon?.Name.Identifier.ValueText == name)
                    return Element(argument.Expression, index);
            var positional = arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
            bool isParams = parameters[ordinal].IsParams;
            if (isParams && index >= 0 && ordinal + index < positional.Count
                && !(positional.Count == ordinal + 1 && IsArray(positional[ordinal].Expression)))
                return positional[ordinal + index].Expression.GetLocation();
            if (isParams && index < 0 && positional.Count > ordinal + 1) // the whole list: "5, 10" of Reshape(5, 10)
                return Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(positional[ordinal].Span.Start, positional[positional.Count - 1].Span.End));
            if (ordinal < positional.Count)
                return Element(positional[ordinal].Expression, index);
        }
        return syntax.Name.GetLocation();
    }

    private static bool IsArray(ExpressionSyntax expression) =>
        expression is ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax;

    /// <summary>Element <paramref name="index"/> of an explicit array argument, or the whole expression.</summary>
    private static Location Element(ExpressionSyntax expression, int index)
    {
        if (index >= 0)
        {
            var elements = expression switch
            {
                ArrayCreationExpressionSyntax a => a.Initializer?.Expressions.Cast<SyntaxNode>().ToList(),
                ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions.Cast<SyntaxNode>().ToList(),
                CollectionExpressionSyntax c => c.Elements.Cast<SyntaxNode>().ToList(),
                _ => null,
            };
            if (elements is not null && index < elements.Count) return elements[index].GetLocation();
        }
        return expression.GetLocation();
    }
}
