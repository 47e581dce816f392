using DslNet.Generator.Common;

namespace DslNet.Generator.Shapes;

/// <summary>
/// Where a diagnostic belongs, as plain values the analyzers map back to syntax: the class
/// (<see cref="Node"/> = -1), a node (its property, <see cref="Op"/> = -1), one of its layer
/// attributes (<see cref="Op"/> = index among the node's ops), or one argument of it
/// (<see cref="Argument"/> = the constructor parameter or property name as written in DslNet's
/// attributes; <see cref="Index"/> = the element of a params array such as Add's node names).
/// A class-level target with <see cref="Argument"/> set names an argument of [Network] (e.g. "Loss").
/// No Location or SyntaxNode ever enters the engine, so its results stay equatable.
/// </summary>
internal sealed record DiagnosticTarget(int Node, int Op, string? Argument, int Index = -1)
{
    public static readonly DiagnosticTarget Class = new(-1, -1, null);

    public static DiagnosticTarget OfNetworkArgument(string argument) => new(-1, -1, argument);

    /// <summary>The <see cref="Argument"/> of a class-level target that designates the base class written on the network.</summary>
    public const string BaseTypeArgument = "<base>";

    public static readonly DiagnosticTarget OfBaseType = new(-1, -1, BaseTypeArgument);

    /// <summary>The <see cref="Op"/> value that designates a node's [Input] attribute rather than a layer.</summary>
    public const int InputAttribute = -2;

    public static DiagnosticTarget OfNode(int node) => new(node, -1, null);

    /// <summary>A node's [Input] attribute; with an index, that element of its shape.</summary>
    public static DiagnosticTarget OfInput(int node, int index = -1) => new(node, InputAttribute, index < 0 ? null : "shape", index);

    public static DiagnosticTarget OfOp(int node, int op, string? argument = null, int index = -1) => new(node, op, argument, index);
}

/// <summary>A finding of the shape engine: a catalogue id, where it is, and the message arguments.</summary>
internal sealed record DslDiagnostic(string Id, DiagnosticTarget Target, EquatableArray<string> Arguments)
{
    /// <summary>
    /// Values for the code fixes, as "key=value" (keys in <see cref="FixHints"/>): the numbers the message
    /// suggests, so a fix never re-derives a formula. Empty for most findings.
    /// </summary>
    public EquatableArray<string> Hints { get; init; }

    /// <summary>Where a code fix edits when that is not <see cref="Target"/> (the layer to pad, for a merge of mismatched shapes).</summary>
    public DiagnosticTarget? FixTarget { get; init; }

    public DiagnosticInfo Info => DiagnosticCatalog.Get(Id);

    public string Message => string.Format(System.Globalization.CultureInfo.InvariantCulture, Info.MessageFormat, Arguments.ToArray());
}
