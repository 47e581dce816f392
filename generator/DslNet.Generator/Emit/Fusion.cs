using System.Collections.Generic;
using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;

namespace DslNet.Generator.Emit;

/// <summary>
/// Fuses activations into the layer before them, before the plan is written out. A Conv2D or Dense
/// followed, in the same node, by an activation whose derivative is a function of its output (ReLU,
/// LeakyReLU, Sigmoid, Tanh: the runtime's Backend.CanFuseActivation; LeakyReLU slopes are ≥ 0 by
/// DSL rule) becomes one op: the layer writes the activation's slot, forward applies the
/// activation with the bias, and backward forms the pre-activation gradient from the output. The
/// pre-activation slot, read by nothing else, disappears, and the slots after it move down, so the
/// activation and gradient buffers shrink (fewer bytes to zero before every backward pass).
///
/// Then a max pool that is the only reader of a Conv2D's or Dense's output takes over that layer's
/// activation backward (<see cref="FuseMaxPoolBackward"/>), a Conv2D or Dense that is the only reader of
/// its input writes that input's gradient instead of adding to it (<see cref="OverwriteInputGradients"/>),
/// and a Dense that alone uses its weight and bias writes their gradients (<see cref="OverwriteDenseParameterGradients"/>).
/// </summary>
internal static class Fusion
{
    public static NetworkPlan Apply(NetworkPlan plan) =>
        OverwriteDenseParameterGradients(OverwriteInputGradients(FuseMaxPoolBackward(FuseActivations(plan))));

    /// <summary>
    /// Marks each MaxPool2D whose input is the output of a Conv2D or Dense, read by the pool alone and
    /// not an input or output of the network: its backward overwrites that output's gradient with the
    /// layer's pre-activation gradient (dy routed to the window maxima ⊙ f'(y), f the layer's fused
    /// activation), and the layer's backward takes it as Identity. The layer's output gradient is then
    /// written in full before it is read, so a training step need not zero it (NetworkLayout.OverwrittenGradients),
    /// and the layer's backward reads neither y nor a separate dy. Only the backward changes: the op
    /// descriptors, hence ONNX export, stay as they are.
    /// </summary>
    private static NetworkPlan FuseMaxPoolBackward(NetworkPlan plan)
    {
        var ops = plan.Ops;
        var marked = ops.ToArray();
        bool any = false;
        for (int i = 0; i < ops.Count; i++)
        {
            var pool = ops[i];
            if (pool.Kind != OpKind.MaxPool2D || pool.Inputs.Count != 1) continue;
            string slot = pool.Inputs[0];
            int layer = Producer(ops, slot);
            if (layer < 0 || ops[layer].Kind is not (OpKind.Conv2D or OpKind.Dense)) continue;
            if (ops.Count(o => o.Inputs.Contains(slot)) != 1 || plan.Nodes.Any(n => n.Slot == slot && (n.IsInput || n.IsOutput)))
                continue;
            marked[i] = pool with { FormsInputGradient = true, InputActivation = ops[layer].Activation };
            marked[layer] = marked[layer] with { GradientFormedByReader = true };
            any = true;
        }
        return any ? plan with { Ops = marked.ToEquatableArray() } : plan;
    }

    /// <summary>
    /// Marks each Conv2D or Dense that is the only reader of its input, an op's output that is no input
    /// or output of the network: nothing else adds into that input's gradient, so the layer's backward
    /// writes it in full (overwriteInputGradient) and a training step need not zero it first
    /// (NetworkLayout.OverwrittenGradients). Slots are compared, not node names, so a Flatten or Reshape
    /// node (a view of its input's slot) counts as that slot: a second reader of the view, or the view
    /// being an output, keeps the gradient added. W3's conv2 saves the zeroing of conv1's 12.8 MB
    /// gradient and the read of it that adding needs; W3's dense layer those of the pooled 6.4 MB.
    /// </summary>
    private static NetworkPlan OverwriteInputGradients(NetworkPlan plan)
    {
        var ops = plan.Ops;
        var marked = ops.ToArray();
        bool any = false;
        for (int i = 0; i < ops.Count; i++)
        {
            var layer = ops[i];
            if (layer.Kind is not (OpKind.Conv2D or OpKind.Dense) || layer.Inputs.Count != 1) continue;
            string slot = layer.Inputs[0];
            if (Producer(ops, slot) < 0 || ops.Count(o => o.Inputs.Contains(slot)) != 1
                || plan.Nodes.Any(n => n.Slot == slot && (n.IsInput || n.IsOutput)))
                continue;
            marked[i] = layer with { OverwritesInputGradient = true };
            any = true;
        }
        return any ? plan with { Ops = marked.ToEquatableArray() } : plan;
    }

    /// <summary>
    /// Marks each Dense that is the only op using its weight and bias: its backward is their gradients'
    /// only writer, so it writes them in full (overwriteParameterGradients, the GEMM with beta 0) and a
    /// training step need not zero them (NetworkLayout.OverwrittenParameterGradients). W3's dense layer
    /// saves the zeroing of its 6.4 MB weight gradient and the read of it that adding needs. Conv2D
    /// keeps adding: its kernels sum per-thread partial weight gradients into dW.
    /// </summary>
    private static NetworkPlan OverwriteDenseParameterGradients(NetworkPlan plan)
    {
        var ops = plan.Ops;
        var marked = ops.ToArray();
        bool any = false;
        for (int i = 0; i < ops.Count; i++)
        {
            var dense = ops[i];
            if (dense.Kind != OpKind.Dense || dense.Parameters.Count == 0) continue;
            if (dense.Parameters.Any(p => ops.Count(o => o.Parameters.Contains(p)) != 1)) continue;
            marked[i] = dense with { OverwritesParameterGradients = true };
            any = true;
        }
        return any ? plan with { Ops = marked.ToEquatableArray() } : plan;
    }

    /// <summary>The index of the op that writes <paramref name="slot"/>, or −1.</summary>
    private static int Producer(EquatableArray<OpPlan> ops, string slot)
    {
        for (int i = 0; i < ops.Count; i++)
            if (ops[i].Output == slot) return i;
        return -1;
    }

    private static NetworkPlan FuseActivations(NetworkPlan plan)
    {
        var ops = plan.Ops;
        var removed = new HashSet<string>();
        var fused = new List<OpPlan>(ops.Count);
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (i + 1 < ops.Count && CanFuse(op, ops[i + 1], ops, plan.Nodes))
            {
                var activation = ops[i + 1];
                fused.Add(op with { Output = activation.Output, Activation = activation });
                removed.Add(op.Output);
                i++;
                continue;
            }
            fused.Add(op);
        }
        if (removed.Count == 0) return plan;

        // Slots keep their order; each starts where the previous kept one ends.
        var slots = new List<SlotPlan>(plan.Slots.Count);
        int offset = 0;
        foreach (var slot in plan.Slots)
        {
            if (removed.Contains(slot.Name)) continue;
            slots.Add(slot with { Offset = offset });
            offset += slot.Size;
        }
        return plan with
        {
            Ops = fused.ToEquatableArray(),
            Slots = slots.ToEquatableArray(),
            ActivationSize = offset,
        };
    }

    private static bool CanFuse(OpPlan layer, OpPlan next, EquatableArray<OpPlan> ops, EquatableArray<NodePlan> nodes) =>
        layer.Kind is OpKind.Conv2D or OpKind.Dense
        && next.Kind is OpKind.ReLU or OpKind.LeakyReLU or OpKind.Sigmoid or OpKind.Tanh
        && next.Node == layer.Node && next.Index == layer.Index + 1
        && next.Inputs.Count == 1 && next.Inputs[0] == layer.Output
        && (next.Kind != OpKind.LeakyReLU || next.Alpha >= 0)
        // The pre-activation value must be read by the activation alone and be no node's value.
        && ops.Count(o => o.Inputs.Contains(layer.Output)) == 1
        && !nodes.Any(n => n.Slot == layer.Output);
}
