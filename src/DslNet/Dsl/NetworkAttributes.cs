using System;

namespace DslNet;

/// <summary>
/// Marks a partial class as a network. Each <c>partial Tensor</c> property is one node; the
/// attributes on it are applied left to right, top to bottom. The source generator writes the
/// forward and backward code; the analyzers report every shape mistake at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>The loss TrainStep uses unless another is passed.</summary>
    public Loss Loss { get; set; }

    /// <summary>
    /// Declares that the output units are independent yes/no labels (multi-label classification), so a
    /// binary cross-entropy loss over several units is intended. Without it, the analyzers report
    /// BinaryCrossEntropy on more than one unit (DSL0015): one class out of many wants SoftmaxCrossEntropy.
    /// </summary>
    public bool MultiLabel { get; set; }
}

/// <summary>
/// An input node with its per-sample shape (channels first: C, H, W; sequences: T, features).
/// The batch dimension is never declared.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    public InputAttribute(params int[] shape) => Shape = shape;

    public int[] Shape { get; }

    /// <summary><c>typeof(float)</c> (default) or <c>typeof(int)</c> for token ids.</summary>
    public Type? Type { get; set; }
}

/// <summary>Marks a node as an output. Without it, the last node is the output.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class OutputAttribute : Attribute
{
}

/// <summary>Makes a node read <c>node</c> (use <c>nameof</c>) instead of the node declared before it.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class FromAttribute : LayerAttribute
{
    public FromAttribute(string node) => Node = node;

    public string Node { get; }
}

/// <summary>Base class of every attribute that transforms a tensor.</summary>
public abstract class LayerAttribute : Attribute
{
}
