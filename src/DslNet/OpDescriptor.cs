namespace DslNet;

/// <summary>What one op of a generated network computes (<see cref="OpDescriptor.Kind"/>).</summary>
public enum OpKind
{
    Dense,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    GlobalAvgPool2D,
    Dropout,
    BatchNorm,
    ReLU,
    LeakyReLU,
    PReLU,
    ELU,
    GELU,
    SiLU,
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
/// One op of a generated network, as the generator resolved it, for tools that read a network at run
/// time (ONNX export, inspection). Ops are listed in execution order; each reads the activation slots
/// <see cref="Inputs"/> and writes <see cref="Output"/>. Flatten and Reshape are not ops: they are
/// views of the same slot with another shape, so an op whose <see cref="InputShape"/> differs from
/// the shape its input slot was written with reads that slot reshaped (row-major, as PyTorch's view).
/// </summary>
/// <param name="Kind">What the op computes.</param>
/// <param name="Node">The node (property) the op belongs to.</param>
/// <param name="Index">Its position among the node's attributes (as nn.Sequential numbers modules).</param>
/// <param name="Inputs">The slots it reads, in order. Dropout's second input is its mask.</param>
/// <param name="Output">The slot it writes.</param>
/// <param name="InputShape">The per-sample shape it reads its first input as (every input for Add and Multiply).</param>
/// <param name="OutputShape">The per-sample shape it writes.</param>
/// <param name="Parameters">Names of its trainable tensors, in kernel order (weight, bias; BatchNorm γ, β; PReLU slope); null for none.</param>
/// <param name="State">Names of its non-trainable tensors (BatchNorm running mean, running variance); null for none.</param>
/// <param name="Geometry">Its geometry record (<see cref="Backends.DenseGeometry"/>, <see cref="Backends.Conv2DGeometry"/>,
/// <see cref="Backends.Pool2DGeometry"/>, <see cref="Backends.BatchNormGeometry"/>), or null for ops without one.</param>
/// <param name="Alpha">Its real hyper-parameter: LeakyReLU slope, ELU alpha, Softplus beta, Dropout rate, BatchNorm momentum.</param>
/// <param name="Beta">BatchNorm's epsilon; 0 otherwise.</param>
/// <param name="Activation">For a Conv2D or Dense, the activation it applies itself (ReLU, LeakyReLU, Sigmoid
/// or Tanh; null for none): the generator fuses an activation that directly follows the layer in its node,
/// so <see cref="Output"/> holds the activated value and the activation is the node's attribute
/// <see cref="Index"/> + 1. A tool that wants the two ops separately splits it there.</param>
/// <param name="ActivationAlpha">The fused activation's hyper-parameter (the LeakyReLU slope); 0 otherwise.</param>
public sealed record OpDescriptor(
    OpKind Kind,
    string Node,
    int Index,
    ActivationSlot[] Inputs,
    ActivationSlot Output,
    int[] InputShape,
    int[] OutputShape,
    string[]? Parameters = null,
    string[]? State = null,
    object? Geometry = null,
    float Alpha = 0f,
    float Beta = 0f,
    OpKind? Activation = null,
    float ActivationAlpha = 0f)
{
    /// <summary>Names of the op's trainable tensors (empty when it has none).</summary>
    public string[] Parameters { get; init; } = Parameters ?? System.Array.Empty<string>();

    /// <summary>Names of the op's non-trainable tensors (empty when it has none).</summary>
    public string[] State { get; init; } = State ?? System.Array.Empty<string>();

    /// <summary>The per-sample shape input <paramref name="index"/> is read as; Concat's inputs differ in their first axis.</summary>
    public int[] InputShapeOf(int index)
    {
        if (Kind != OpKind.Concat) return InputShape;
        int rest = 1;
        for (int d = 1; d < OutputShape.Length; d++) rest *= OutputShape[d];
        var shape = (int[])OutputShape.Clone();
        shape[0] = Inputs[index].Size / rest;
        return shape;
    }
}
