using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslNet.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslNet.Generator.Model;

/// <summary>
/// Reads a [Network] class symbol into a <see cref="NetworkModel"/>. Never throws: anything it cannot
/// make sense of (half-typed code, attributes with errors) sets <see cref="NetworkModel.HasCompileErrors"/>
/// and the compiler's own errors speak for it.
///
/// Order matters and is the source order: nodes are the properties in declaration order; a node's
/// ops are its attributes left to right, top to bottom. The analyzers rely on the same order to map
/// a diagnostic back to an attribute (see <see cref="LayerAttributes"/>).
/// </summary>
internal static class NetworkParser
{
    public const string Namespace = "DslNet";
    public const string NetworkAttributeName = "DslNet.NetworkAttribute";

    public static NetworkModel Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        bool hasErrors = false;
        var nodes = new List<NodeModel>();
        foreach (var property in NodeProperties(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            nodes.Add(ParseNode(property, ref hasErrors));
        }

        int loss = 0;
        bool multiLabel = false;
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != NetworkAttributeName) continue;
            foreach (var named in attribute.NamedArguments)
                if (named.Key == "Loss")
                {
                    if (named.Value.Kind == TypedConstantKind.Error || named.Value.Value is null) hasErrors = true;
                    else loss = System.Convert.ToInt32(named.Value.Value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (named.Key == "MultiLabel")
                {
                    if (named.Value.Value is bool flag) multiLabel = flag;
                    else hasErrors = true;
                }
        }

        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, (outer.TypeKind == TypeKind.Struct ? "partial struct " : "partial class ") + outer.Name + TypeParameterList(outer));

        return new NetworkModel(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            type.Name,
            containing.ToEquatableArray(),
            IsPartial(type),
            ForeignBase(type) is not null,
            hasErrors,
            loss,
            nodes.ToEquatableArray(),
            multiLabel,
            ForeignBase(type) ?? "",
            TypeParameterList(type));
    }

    /// <summary>
    /// The node properties of a network, in declaration order: every partial property typed Tensor, and
    /// every property that carries a DslNet attribute (so a mistyped one is reported rather than ignored).
    /// A plain Tensor property without DslNet attributes (<c>public Tensor Scores => Logits;</c>) is the
    /// user's own helper, not a node.
    /// </summary>
    public static IEnumerable<IPropertySymbol> NodeProperties(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IPropertySymbol>().Where(p =>
            !p.IsStatic && (IsTensor(p.Type) && p.IsPartialDefinition || p.GetAttributes().Any(a => IsDslAttribute(a.AttributeClass))));

    /// <summary>The DSL attributes of a node property in the order they apply (everything but [Input] and [Output]).</summary>
    public static IEnumerable<AttributeData> LayerAttributes(IPropertySymbol property) =>
        property.GetAttributes().Where(a => IsDslAttribute(a.AttributeClass) && OpKindOf(a.AttributeClass!) is not null);

    private static NodeModel ParseNode(IPropertySymbol property, ref bool hasErrors)
    {
        string modifiers = "partial";
        bool isPartialTensor = false;
        PartialDeclaration? partial = null;
        if (property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is PropertyDeclarationSyntax syntax)
        {
            modifiers = syntax.Modifiers.ToString();
            isPartialTensor = syntax.Modifiers.Any(SyntaxKind.PartialKeyword)
                && IsTensor(property.Type)
                && property.IsPartialDefinition
                && property.SetMethod is null
                && property.GetMethod is not null;
            if (property.IsPartialDefinition)
                partial = new PartialDeclaration(property.Type.ToDisplayString(TypeFormat),
                    property.GetMethod is not null, property.SetMethod is not null, property.SetMethod?.IsInitOnly == true);
        }

        var shape = EquatableArray<int>.Empty;
        bool isInput = false, tokens = false, isOutput = false;
        var ops = new List<OpModel>();
        foreach (var attribute in property.GetAttributes())
        {
            var cls = attribute.AttributeClass;
            if (cls is null || cls.TypeKind == TypeKind.Error) { hasErrors = true; continue; }
            if (!IsDslAttribute(cls)) continue;
            var args = ReadArguments(attribute, ref hasErrors);
            switch (cls.Name)
            {
                case "InputAttribute":
                    isInput = true;
                    shape = args.FirstOrDefault(a => a.Name == "shape")?.Numbers ?? EquatableArray<int>.Empty;
                    tokens = args.FirstOrDefault(a => a.Name == "Type")?.Text is "int" or "System.Int32";
                    break;
                case "OutputAttribute":
                    isOutput = true;
                    break;
                default:
                    if (OpKindOf(cls) is { } kind) ops.Add(new OpModel(kind, args.ToEquatableArray()));
                    break;
            }
        }
        return new NodeModel(property.Name, modifiers, isPartialTensor, shape, isInput, tokens, isOutput, ops.ToEquatableArray(), partial);
    }

    private static List<OpArg> ReadArguments(AttributeData attribute, ref bool hasErrors)
    {
        var args = new List<OpArg>();
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArrayOfNone;
        if (attribute.AttributeConstructor is null && attribute.ConstructorArguments.Length > 0) hasErrors = true;
        for (int i = 0; i < attribute.ConstructorArguments.Length && i < parameters.Length; i++)
            args.Add(ReadArgument(parameters[i].Name, attribute.ConstructorArguments[i], ref hasErrors));
        foreach (var named in attribute.NamedArguments)
            args.Add(ReadArgument(named.Key, named.Value, ref hasErrors));
        return args;
    }

    private static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly System.Collections.Immutable.ImmutableArray<IParameterSymbol> ImmutableArrayOfNone =
        System.Collections.Immutable.ImmutableArray<IParameterSymbol>.Empty;

    private static OpArg ReadArgument(string name, TypedConstant value, ref bool hasErrors)
    {
        switch (value.Kind)
        {
            case TypedConstantKind.Array:
                var numbers = new List<int>();
                var texts = new List<string>();
                if (value.IsNull) return new OpArg(name, 0, null, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
                foreach (var item in value.Values)
                {
                    if (item.Kind == TypedConstantKind.Error) { hasErrors = true; continue; }
                    if (item.Value is string s) texts.Add(s);
                    else if (item.Value is null) texts.Add("");
                    else if (TryNumber(item.Value, out double d)) numbers.Add(d > int.MaxValue ? int.MaxValue : d < int.MinValue ? int.MinValue : (int)d);
                }
                return new OpArg(name, 0, null, numbers.ToEquatableArray(), texts.ToEquatableArray());
            case TypedConstantKind.Type:
                return new OpArg(name, 0, (value.Value as ITypeSymbol)?.ToDisplayString(), EquatableArray<int>.Empty, EquatableArray<string>.Empty);
            case TypedConstantKind.Primitive:
            case TypedConstantKind.Enum:
                if (value.Value is string text) return new OpArg(name, 0, text, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
                if (TryNumber(value.Value, out double number)) return new OpArg(name, number, null, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
                if (value.Value is null) return new OpArg(name, 0, null, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
                hasErrors = true;
                return new OpArg(name, 0, null, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
            default:
                hasErrors = true;
                return new OpArg(name, 0, null, EquatableArray<int>.Empty, EquatableArray<string>.Empty);
        }
    }

    private static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case bool b: number = b ? 1 : 0; return true;
            case int or long or short or sbyte or byte or ushort or uint or ulong or float or double:
                number = System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                return true;
            default: number = 0; return false;
        }
    }

    public static bool IsTensor(ITypeSymbol type) => type.Name == "Tensor" && type.ContainingNamespace?.ToDisplayString() == Namespace;

    public static bool IsDslAttribute(INamedTypeSymbol? cls) =>
        cls is not null && cls.ContainingNamespace?.ToDisplayString() == Namespace && cls.Name.EndsWith("Attribute", System.StringComparison.Ordinal)
        && cls.Name != "NetworkAttribute";

    public static OpKind? OpKindOf(INamedTypeSymbol cls)
    {
        string name = cls.Name.EndsWith("Attribute", System.StringComparison.Ordinal) ? cls.Name.Substring(0, cls.Name.Length - "Attribute".Length) : cls.Name;
        return System.Enum.TryParse(name, out OpKind kind) ? kind : null;
    }

    /// <summary>"&lt;T, U&gt;" for a generic type, "" otherwise (a stub must repeat it to complete the class).</summary>
    private static string TypeParameterList(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    /// <summary>The base class written on the network when it is neither object nor DslNet.Network (which the generator adds).</summary>
    private static string? ForeignBase(INamedTypeSymbol type) =>
        type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && baseType.ToDisplayString() != "DslNet.Network"
            ? baseType.ToDisplayString()
            : null;

    /// <summary>Whether the class and every class containing it are partial (the generated part repeats them all).</summary>
    private static bool IsPartial(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
            if (!t.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                return false;
        return true;
    }
}
