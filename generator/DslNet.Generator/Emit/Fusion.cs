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
/// </summary>
internal static class Fusion
{
    public static NetworkPlan Apply(NetworkPlan plan)
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
