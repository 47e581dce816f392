using DslNet.Generator.Common;

namespace DslNet.Generator.Model;

// The equatable description of a [Network] class, read from the syntax and symbols once and then
// passed down the pipeline. It holds only strings, numbers and value-equal arrays: no symbols,
// syntax nodes or locations, so the incremental generator can compare it across edits.

/// <summary>What an attribute on a node does.</summary>
internal enum OpKind
{
    From,
    Dense,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    GlobalAvgPool2D,
    Flatten,
    Reshape,
    Dropout,
    BatchNorm,
    ReLU,
    LeakyReLU,
    PReLU,
    ELU,
    GELU,
    SiLU,
    Swish,
    Sigmoid,
    Tanh,
    Softplus,
    Softmax,
    LogSoftmax,
    Add,
    Multiply,
    Concat,
}

/// <summary>
/// One argument as written: its name (the constructor parameter or the named property), and its
/// value as a number (ints, doubles, bools as 0/1, enums), a string, or an array of either.
/// </summary>
internal sealed record OpArg(string Name, double Number, string? Text, EquatableArray<int> Numbers, EquatableArray<string> Texts);

/// <summary>One layer, activation or merge applied by a node, with the arguments the user wrote.</summary>
internal sealed record OpModel(OpKind Kind, EquatableArray<OpArg> Args)
{
    public OpArg? Find(string name)
    {
        foreach (var arg in Args)
            if (arg.Name == name) return arg;
        return null;
    }

    public int Int(string name, int fallback) => Find(name) is { } arg ? (int)arg.Number : fallback;

    public double Real(string name, double fallback) => Find(name) is { } arg ? arg.Number : fallback;

    public bool Bool(string name, bool fallback) => Find(name) is { } arg ? arg.Number != 0 : fallback;

    public bool Has(string name) => Find(name) is not null;
}

/// <summary>
/// How a partial property was declared, as the generator must repeat it when it can only write a stub:
/// its type (fully qualified) and accessors.
/// </summary>
internal sealed record PartialDeclaration(string Type, bool HasGetter, bool HasSetter, bool SetterIsInit);

/// <summary>
/// A <c>partial Tensor</c> property: its name, the modifiers written on it (repeated on the
/// implementation), how it was declared when it is a partial definition (<see cref="Partial"/>), whether it is an input (with its per-sample shape) or a marked output, and its ops.
/// </summary>
internal sealed record NodeModel(
    string Name,
    string Modifiers,
    bool IsPartialTensor,
    EquatableArray<int> InputShape,
    bool IsInput,
    bool InputIsTokens,
    bool IsOutput,
    EquatableArray<OpModel> Ops,
    PartialDeclaration? Partial = null);

/// <summary>A [Network] class.</summary>
internal sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    bool IsPartial,
    bool HasForeignBaseType,
    bool HasCompileErrors,
    int Loss,
    EquatableArray<NodeModel> Nodes,
    bool MultiLabel = false,
    string ForeignBase = "",
    string TypeParameters = "")
{
    /// <summary>Whether the class (or a class containing it) is generic, which DslNet does not support.</summary>
    public bool IsGeneric => TypeParameters.Length > 0 || System.Linq.Enumerable.Any(ContainingTypes, t => t.IndexOf('<') >= 0);

    /// <summary>The name used in generated file names and messages: Namespace.Outer.Class.</summary>
    public string FullName =>
        (Namespace is null ? "" : Namespace + ".") + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Substring(t.IndexOf(' ', "partial ".Length) + 1) + ".")) + ClassName;
}
