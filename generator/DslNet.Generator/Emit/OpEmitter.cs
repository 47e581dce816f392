using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;
using DslNet.Generator.Shapes;

namespace DslNet.Generator.Emit;

/// <summary>The kernel calls of one op: its forward line(s) and its backward line(s).</summary>
internal static class OpEmitter
{
    private const string Empty = "global::DslNet.Backends.BufferView.Empty";

    public static string? GeometryType(OpKind kind) => kind switch
    {
        OpKind.Dense => "DenseGeometry",
        OpKind.Conv2D => "Conv2DGeometry",
        OpKind.MaxPool2D or OpKind.AvgPool2D => "Pool2DGeometry",
        OpKind.BatchNorm => "BatchNormGeometry",
        _ => null,
    };

    public static string GeometryArguments(OpPlan op)
    {
        var g = op.Geometry;
        string Named(params string[] names) => string.Join(", ", names.Select((name, i) => $"{name}: {g[i]}"));
        return op.Kind switch
        {
            OpKind.Dense => Named("InFeatures", "OutFeatures", "RowsPerSample"),
            OpKind.Conv2D => Named("InChannels", "InHeight", "InWidth", "OutChannels", "KernelHeight", "KernelWidth",
                "StrideHeight", "StrideWidth", "PadTop", "PadLeft", "DilationHeight", "DilationWidth", "OutHeight", "OutWidth"),
            OpKind.MaxPool2D or OpKind.AvgPool2D => Named("Channels", "InHeight", "InWidth", "KernelHeight", "KernelWidth",
                "StrideHeight", "StrideWidth", "PadTop", "PadLeft", "OutHeight", "OutWidth"),
            OpKind.BatchNorm => Named("Channels", "Spatial"),
            _ => "",
        };
    }

    private static string Act(string slot) => $"Activation(Plan.{slot}, n)";

    private static string Grad(string slot) => $"ActivationGradient(Plan.{slot}, n)";

    private static string InGrad(string slot, HashSet<string> inputSlots) =>
        inputSlots.Contains(slot) ? $"InputGradient(Plan.{slot}, n)" : Grad(slot);

    private static string Param(OpPlan op, int index) => index < op.Parameters.Count ? $"Weight(Plan.{op.Parameters[index]})" : Empty;

    private static string ParamGrad(OpPlan op, int index) => index < op.Parameters.Count ? $"WeightGradient(Plan.{op.Parameters[index]})" : Empty;

    private static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    private static string ActivationKind(OpKind kind) =>
        "global::DslNet.Backends.ActivationKind." + (kind == OpKind.Swish ? "SiLU" : kind.ToString());

    /// <summary>The activation arguments of a Conv2D or Dense with a fused activation (see <see cref="Fusion"/>), else nothing.</summary>
    private static string Fused(OpPlan op) =>
        op.Activation is { } a ? $"{ActivationKind(a.Kind)}, {Float(a.Alpha)}, " : "";

    /// <summary>The activation arguments of a max pool that forms its input's pre-activation gradient (Identity when the layer has none).</summary>
    private static string InputActivation(OpPlan pool) =>
        pool.InputActivation is { } a ? $"{ActivationKind(a.Kind)}, {Float(a.Alpha)}" : "global::DslNet.Backends.ActivationKind.Identity, 0f";

    /// <summary>
    /// The overwrite flags of a Conv2D's or Dense's backward call, or nothing when it adds into every
    /// gradient (the short overloads). Dense names both flags whenever it sets one.
    /// </summary>
    private static string OverwriteArguments(OpPlan op)
    {
        string Bool(bool value) => value ? "true" : "false";
        if (op.Kind == OpKind.Dense && (op.OverwritesInputGradient || op.OverwritesParameterGradients))
            return $", overwriteInputGradient: {Bool(op.OverwritesInputGradient)}, overwriteParameterGradients: {Bool(op.OverwritesParameterGradients)}";
        return op.OverwritesInputGradient ? ", overwriteInputGradient: true" : "";
    }

    public static void Forward(IndentedWriter w, OpPlan op)
    {
        string x = op.Inputs.Count > 0 ? Act(op.Inputs[0]) : "";
        string y = Act(op.Output);
        switch (op.Kind)
        {
            case OpKind.Dense:
            case OpKind.Conv2D:
                w.Line($"backend.{op.Kind}Forward(Plan.{op.Key}Geometry, n, {x}, {Param(op, 0)}, {Param(op, 1)}, {Fused(op)}{y});");
                break;
            case OpKind.MaxPool2D:
            case OpKind.AvgPool2D:
                w.Line($"backend.{op.Kind}Forward(Plan.{op.Key}Geometry, n, {x}, {y});");
                break;
            case OpKind.GlobalAvgPool2D:
                w.Line($"backend.GlobalAvgPoolForward(n, {op.Geometry[0]}, {op.Geometry[1]}, {x}, {y});");
                break;
            case OpKind.Dropout:
                string mask = Act(op.Inputs[1]);
                w.Line("if (training)");
                w.Line($"    backend.DropoutForward({Float(op.Alpha)}, DropoutSeed({op.Node * 1000 + op.Index}), {x}, {mask}, {y});");
                w.Line("else");
                w.Line("{");
                w.Line($"    backend.Copy({x}, {y});");
                w.Line($"    backend.Fill({mask}, 1f); // so that a Backward after an inference pass passes gradients through");
                w.Line("}");
                break;
            case OpKind.BatchNorm:
                w.Line($"backend.BatchNormForward(Plan.{op.Key}Geometry, n, training, momentum: {Float(op.Alpha)}, epsilon: {Float(op.Beta)},");
                w.Line($"    {x}, {Param(op, 0)}, {Param(op, 1)}, StateValue(Plan.{op.State[0]}), StateValue(Plan.{op.State[1]}),");
                w.Line($"    Scratch(Plan.{op.Key}Saved, {op.Geometry[0]}), Scratch(Plan.{op.Key}Saved + {op.Geometry[0]}, {op.Geometry[0]}), {y});");
                break;
            case OpKind.PReLU:
                w.Line($"backend.PReluForward(n, {op.Geometry[0]}, {op.Geometry[1]}, {x}, {Param(op, 0)}, {y});");
                break;
            case OpKind.Softmax:
            case OpKind.LogSoftmax:
                w.Line($"backend.{op.Kind}Forward(n * {op.Geometry[0]}, {op.Geometry[1]}, {x}, {y});");
                break;
            case OpKind.Add:
                w.Line($"backend.Add({x}, {Act(op.Inputs[1])}, {y});");
                for (int i = 2; i < op.Inputs.Count; i++) w.Line($"backend.Accumulate({Act(op.Inputs[i])}, {y});");
                break;
            case OpKind.Multiply:
                w.Line($"backend.Multiply({x}, {Act(op.Inputs[1])}, {y});");
                for (int i = 2; i < op.Inputs.Count; i++) w.Line($"backend.Multiply({y}, {Act(op.Inputs[i])}, {y});");
                break;
            case OpKind.Concat:
                int total = op.Geometry.Sum(), offset = 0;
                for (int i = 0; i < op.Inputs.Count; i++)
                {
                    string target = offset == 0 ? y : $"Skip({y}, {offset})";
                    w.Line($"backend.CopyBlocks(n, {op.Geometry[i]}, {Act(op.Inputs[i])}, {op.Geometry[i]}, {target}, {total});");
                    offset += op.Geometry[i];
                }
                break;
            default:
                w.Line($"backend.ActivationForward({ActivationKind(op.Kind)}, {Float(op.Alpha)}, {x}, {y});");
                break;
        }
    }

    public static void Backward(IndentedWriter w, OpPlan op, HashSet<string> inputSlots)
    {
        string x = op.Inputs.Count > 0 ? Act(op.Inputs[0]) : "";
        string dx = op.Inputs.Count > 0 ? InGrad(op.Inputs[0], inputSlots) : "";
        string y = Act(op.Output), dy = Grad(op.Output);
        switch (op.Kind)
        {
            case OpKind.Dense:
            case OpKind.Conv2D:
                bool identity = op.Activation is null || op.GradientFormedByReader;
                if (op.Activation is not null && op.GradientFormedByReader)
                    w.Line($"// {op.Output}'s gradient is already the gradient before the {op.Activation.Kind} (formed by the max pool that reads {op.Output}).");
                if (op.OverwritesInputGradient)
                    w.Line($"// The only reader of {op.Inputs[0]}: writes {op.Inputs[0]}'s gradient rather than adding to it, so it needs no zeroing.");
                if (op.OverwritesParameterGradients)
                    w.Line($"// The only user of {string.Join(" and ", op.Parameters)}: writes their gradients rather than adding to them, so a training step need not zero them.");
                bool overwrites = op.OverwritesInputGradient || op.OverwritesParameterGradients;
                if (identity && !overwrites)
                {
                    w.Line($"backend.{op.Kind}Backward(Plan.{op.Key}Geometry, n, {x}, {Param(op, 0)}, {dy},");
                }
                else
                {
                    // Unless identity, the kernel forms the pre-activation gradient dy ⊙ f'(y) from the activated output y.
                    w.Line($"backend.{op.Kind}Backward(Plan.{op.Key}Geometry, n, {x}, {Param(op, 0)},");
                    w.Line(identity
                        ? $"    global::DslNet.Backends.ActivationKind.Identity, 0f, global::DslNet.Backends.BufferView.Empty, {dy},"
                        : $"    {Fused(op)}{y}, {dy},");
                }
                w.Line($"    {dx}, {ParamGrad(op, 0)}, {ParamGrad(op, 1)}{OverwriteArguments(op)});");
                break;
            case OpKind.MaxPool2D when op.FormsInputGradient:
                string read = op.Inputs[0];
                w.Line(op.InputActivation is { } before
                    ? $"// The only reader of {read}: overwrites {read}'s gradient with the gradient before {read}'s {before.Kind}."
                    : $"// The only reader of {read}: overwrites {read}'s gradient, which therefore needs no zeroing.");
                w.Line($"backend.MaxPool2DBackward(Plan.{op.Key}Geometry, n, {x}, {InputActivation(op)},");
                w.Line($"    {dy}, {dx}, overwrite: true);");
                break;
            case OpKind.MaxPool2D:
                w.Line($"backend.MaxPool2DBackward(Plan.{op.Key}Geometry, n, {x}, {dy}, {dx});");
                break;
            case OpKind.AvgPool2D:
                w.Line($"backend.AvgPool2DBackward(Plan.{op.Key}Geometry, n, {dy}, {dx});");
                break;
            case OpKind.GlobalAvgPool2D:
                w.Line($"backend.GlobalAvgPoolBackward(n, {op.Geometry[0]}, {op.Geometry[1]}, {dy}, {dx});");
                break;
            case OpKind.Dropout:
                w.Line($"backend.DropoutBackward({Act(op.Inputs[1])}, {dy}, {dx});");
                break;
            case OpKind.BatchNorm:
                w.Line($"backend.BatchNormBackward(Plan.{op.Key}Geometry, n, LastForwardTrained, {x}, {Param(op, 0)},");
                w.Line($"    Scratch(Plan.{op.Key}Saved, {op.Geometry[0]}), Scratch(Plan.{op.Key}Saved + {op.Geometry[0]}, {op.Geometry[0]}),");
                w.Line($"    {dy}, {dx}, {ParamGrad(op, 0)}, {ParamGrad(op, 1)});");
                break;
            case OpKind.PReLU:
                w.Line($"backend.PReluBackward(n, {op.Geometry[0]}, {op.Geometry[1]}, {x}, {Param(op, 0)}, {dy}, {dx}, {ParamGrad(op, 0)});");
                break;
            case OpKind.Softmax:
            case OpKind.LogSoftmax:
                w.Line($"backend.{op.Kind}Backward(n * {op.Geometry[0]}, {op.Geometry[1]}, {y}, {dy}, {dx});");
                break;
            case OpKind.Add:
                foreach (var input in op.Inputs) w.Line($"backend.Accumulate({dy}, {InGrad(input, inputSlots)});");
                break;
            case OpKind.Multiply:
                w.Line($"backend.MultiplyBackward({x}, {Act(op.Inputs[1])}, {dy}, {dx}, {InGrad(op.Inputs[1], inputSlots)});");
                break;
            case OpKind.Concat:
                int total = op.Geometry.Sum(), offset = 0;
                for (int i = 0; i < op.Inputs.Count; i++)
                {
                    string source = offset == 0 ? dy : $"Skip({dy}, {offset})";
                    w.Line($"backend.AccumulateBlocks(n, {op.Geometry[i]}, {source}, {total}, {InGrad(op.Inputs[i], inputSlots)}, {op.Geometry[i]});");
                    offset += op.Geometry[i];
                }
                break;
            default:
                w.Line($"backend.ActivationBackward({ActivationKind(op.Kind)}, {Float(op.Alpha)}, {x}, {y}, {dy}, {dx});");
                break;
        }
    }
}
