using DslNet.Generator.Common;

namespace DslNet.Generator.Shapes;

/// <summary>Where a diagnostic belongs: the class, a node, one of its attributes, or one argument of it.</summary>
internal sealed record DiagnosticTarget(int Node, int Op, string? Argument)
{
    public static readonly DiagnosticTarget Class = new(-1, -1, null);

    public static DiagnosticTarget OfNode(int node) => new(node, -1, null);

    public static DiagnosticTarget OfOp(int node, int op, string? argument = null) => new(node, op, argument);
}

/// <summary>A finding of the shape engine: a catalogue id, where it is, and the message arguments.</summary>
internal sealed record DslDiagnostic(string Id, DiagnosticTarget Target, EquatableArray<string> Arguments)
{
    public DiagnosticInfo Info => DiagnosticCatalog.Get(Id);

    public string Message => string.Format(System.Globalization.CultureInfo.InvariantCulture, Info.MessageFormat, Arguments.ToArray());
}
