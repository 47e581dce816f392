using System;
using DslNet.Training;

namespace DslNet;

/// <summary>
/// A region of the activation buffer that holds one tensor for every sample of the batch:
/// sample i occupies [Offset·maxBatch + i·Size, … + Size). The gradient buffer has the same layout.
/// </summary>
public readonly record struct ActivationSlot(int Offset, int Size);

/// <summary>A named input or output of a network, with its per-sample shape.</summary>
public sealed record NetworkPort(string Name, int[] Shape, ActivationSlot Slot)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>A named node of a network: where its last activation lives.</summary>
public sealed record NetworkNode(string Name, int[] Shape, ActivationSlot Slot);

/// <summary>
/// Everything the runtime needs to know about a generated network, fixed at compile time:
/// its ports, nodes, tensors, buffer sizes and (<paramref name="Ops"/>) the ops it runs, in order.
/// <paramref name="OverwrittenGradients"/> are the slots whose gradient the backward pass writes in full
/// before anything reads it (a max pool, convolution or dense layer, their only reader, overwrites them)
/// or never touches (a Dropout's mask: its backward reads the mask, not the mask's gradient), and
/// <paramref name="OverwrittenParameterGradients"/> the indices (into <paramref name="Parameters"/>)
/// of the tensors whose gradient it writes in full (a dense layer, their only user), so a training step
/// does not zero them. The generator writes one as a static field.
/// </summary>
public sealed record NetworkLayout(
    string Name,
    NetworkPort[] Inputs,
    NetworkPort[] Outputs,
    NetworkNode[] Nodes,
    ParameterSpec[] Parameters,
    ParameterSpec[] State,
    int ActivationSize,
    int ScratchSize,
    Loss Loss,
    ActivationSlot[]? OverwrittenGradients = null,
    OpDescriptor[]? Ops = null,
    int[]? OverwrittenParameterGradients = null);
