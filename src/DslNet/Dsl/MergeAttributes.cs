using System;

namespace DslNet;

/// <summary>Element-wise sum of the named nodes (use <c>nameof</c>); all shapes must be equal.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : LayerAttribute
{
    public AddAttribute(params string[] nodes) => Nodes = nodes;

    public string[] Nodes { get; }
}

/// <summary>Element-wise product of the named nodes; all shapes must be equal.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class MultiplyAttribute : LayerAttribute
{
    public MultiplyAttribute(params string[] nodes) => Nodes = nodes;

    public string[] Nodes { get; }
}

/// <summary>Concatenation of the named nodes along the first (channel / feature) axis; the other axes must agree.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute : LayerAttribute
{
    public ConcatAttribute(params string[] nodes) => Nodes = nodes;

    public string[] Nodes { get; }
}
