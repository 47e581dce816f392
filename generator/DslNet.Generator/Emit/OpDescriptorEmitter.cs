using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;

namespace DslNet.Generator.Emit;

/// <summary>
/// Writes the layout's <c>Ops</c> argument: one <c>global::DslNet.OpDescriptor</c> per op, in execution
/// order, so that run-time tools (the ONNX exporter) can read what the straight-line code does.
/// </summary>
internal static class OpDescriptorEmitter
{
    private const string Rt = "global::DslNet.";

    public static void Write(IndentedWriter w, NetworkPlan plan)
    {
        if (plan.Ops.Count == 0)
        {
            w.Line($"    Ops: global::System.Array.Empty<{Rt}OpDescriptor>());");
            return;
        }
        w.Line("    // Kind, node, attribute index, input slots, output slot, per-sample input and output shapes, then tensors and hyper-parameters.");
        w.Line($"    Ops: new {Rt}OpDescriptor[]");
        w.Line("    {");
        foreach (var op in plan.Ops)
            w.Line("        " + Descriptor(plan, op) + ",");
        w.Line("    });");
    }

    private static string Descriptor(NetworkPlan plan, OpPlan op)
    {
        var parts = new System.Collections.Generic.List<string>
        {
            $"{Rt}OpKind.{(op.Kind == OpKind.Swish ? OpKind.SiLU : op.Kind)}",
            NetworkEmitter.Literal(plan.Model.Nodes[op.Node].Name),
            op.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"new[] {{ {string.Join(", ", op.Inputs)} }}",
            op.Output,
            Ints(op.InputShape),
            Ints(op.OutputShape),
        };
        if (op.Parameters.Count > 0) parts.Add("Parameters: " + Names(op.Parameters, plan.Parameters));
        if (op.State.Count > 0) parts.Add("State: " + Names(op.State, plan.State));
        if (OpEmitter.GeometryType(op.Kind) is not null) parts.Add($"Geometry: {op.Key}Geometry");
        if (op.Alpha != 0) parts.Add($"Alpha: {Float(op.Alpha)}");
        if (op.Beta != 0) parts.Add($"Beta: {Float(op.Beta)}");
        if (op.Activation is { } activation)
        {
            parts.Add($"Activation: {Rt}OpKind.{activation.Kind}");
            if (activation.Alpha != 0) parts.Add($"ActivationAlpha: {Float(activation.Alpha)}");
        }
        return "new(" + string.Join(", ", parts) + ")";
    }

    private static string Ints(EquatableArray<int> values) => $"new[] {{ {string.Join(", ", values)} }}";

    /// <summary>The checkpoint names ("C1.weight") of the tensors whose index constants ("C1_weight") an op uses.</summary>
    private static string Names(EquatableArray<string> constants, EquatableArray<TensorPlan> tensors)
    {
        var names = constants.Select(c => NetworkEmitter.Literal(tensors.First(t => t.Constant == c).TensorName));
        return $"new[] {{ {string.Join(", ", names)} }}";
    }

    private static string Float(double value) =>
        ((float)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";
}
