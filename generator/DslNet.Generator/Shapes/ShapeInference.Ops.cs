using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;

namespace DslNet.Generator.Shapes;

// The rule of every op: its output shape, its geometry, its tensors, and what is wrong with it.
internal sealed partial class ShapeInference
{
    private (string Slot, int[] Shape, string Description)? InferOp(int node, int op, string key, string? slot, int[]? shape)
    {
        var model = _model.Nodes[node].Ops[op];
        if (ReadsNamedNodes(model)) return InferReader(node, op, key, model, slot, shape);
        if (slot is null || shape is null) return null;
        string label = Label(node, op);
        switch (model.Kind)
        {
            case OpKind.Dense: return Dense(node, op, key, label, model, slot, shape);
            case OpKind.Conv2D: return Conv2D(node, op, key, label, model, slot, shape);
            case OpKind.MaxPool2D:
            case OpKind.AvgPool2D: return Pool2D(node, op, key, label, model, slot, shape);
            case OpKind.GlobalAvgPool2D:
                if (!RequireRank(node, op, label, shape, 3, "GlobalAvgPool2D averages each channel of a [C, H, W] tensor")) return null;
                AddOp(model.Kind, node, op, key, AddSlot(key, shape[0]), new[] { slot }, shape, new[] { shape[0] }, new[] { shape[0], shape[1] * shape[2] });
                return (key, new[] { shape[0] }, "GlobalAvgPool2D");
            case OpKind.Flatten:
                return (slot, new[] { Product(shape) }, "Flatten"); // a view: same memory, new shape
            case OpKind.Reshape: return Reshape(node, op, label, model, slot, shape);
            case OpKind.Dropout: return Dropout(node, op, key, label, model, slot, shape);
            case OpKind.BatchNorm: return BatchNorm(node, op, key, label, model, slot, shape);
            case OpKind.PReLU: return PReLU(node, op, key, label, model, slot, shape);
            case OpKind.Softmax:
            case OpKind.LogSoftmax:
                if (shape.Length == 3)
                {
                    Report(DiagnosticCatalog.WrongRank, DiagnosticTarget.OfOp(node, op), label,
                        $"{model.Kind} applies over the last axis of a vector or sequence, but its input is an image {Text(shape)}; add Flatten or GlobalAvgPool2D before it");
                    return null;
                }
                int columns = shape[shape.Length - 1];
                if (columns == 1)
                    Report(DiagnosticCatalog.SoftmaxSingleUnit, DiagnosticTarget.OfOp(node, op), label, model.Kind, Text(shape), model.Kind == OpKind.Softmax ? 1 : 0);
                AddOp(model.Kind, node, op, key, AddSlot(key, Product(shape)), new[] { slot }, shape, shape, new[] { Product(shape) / columns, columns });
                return (key, shape, model.Kind.ToString());
            default:
                return Activation(node, op, key, label, model, slot, shape);
        }
    }

    private void AddOp(OpKind kind, int node, int op, string key, string output, string[] inputs, int[] inShape, int[] outShape, int[] geometry,
        double alpha = 0, double beta = 0, string[]? parameters = null, string[]? state = null, int scratch = -1, string description = "")
    {
        _ops.Add(new OpPlan(kind, node, op, key, output, inputs.ToEquatableArray(), inShape.ToEquatableArray(), outShape.ToEquatableArray(),
            geometry.ToEquatableArray(), alpha, beta, (parameters ?? Array.Empty<string>()).ToEquatableArray(),
            (state ?? Array.Empty<string>()).ToEquatableArray(), scratch, description));
    }

    private bool RequireRank(int node, int op, string label, int[] shape, int rank, string why)
    {
        if (shape.Length == rank) return true;
        Report(DiagnosticCatalog.WrongRank, DiagnosticTarget.OfOp(node, op), label, $"{why}, but its input is {Text(shape)}");
        return false;
    }

    private bool Positive(int node, int op, string label, string argument, int value)
    {
        if (value >= 1) return true;
        Report(DiagnosticCatalog.NonPositive, DiagnosticTarget.OfOp(node, op, argument), label, argument, value);
        return false;
    }

    // ---- tensors ----------------------------------------------------------------------------

    /// <summary>The checkpoint name prefix of op <paramref name="op"/>: "C1", or "Stem.1" when the node has several parametric ops (as nn.Sequential numbers them).</summary>
    private string TensorPrefix(int node, int op)
    {
        int parametric = _model.Nodes[node].Ops.Count(o => o.Kind is OpKind.Dense or OpKind.Conv2D or OpKind.BatchNorm or OpKind.PReLU);
        return parametric <= 1 ? _model.Nodes[node].Name : _model.Nodes[node].Name + "." + op;
    }

    private string AddTensor(List<TensorPlan> list, int node, int op, string suffix, int[] shape, string init, int fanIn = 0, int fanOut = 0, double value = 0)
    {
        string name = TensorPrefix(node, op) + "." + suffix;
        string constant = name.Replace('.', '_');
        list.Add(new TensorPlan(name, constant, shape.ToEquatableArray(), init, fanIn, fanOut, value));
        return constant;
    }

    /// <summary>The initialiser of a weight: as written, or He before a ReLU-family activation and Glorot otherwise.</summary>
    private string WeightInit(int node, int op, OpModel model)
    {
        switch ((Init)model.Int("Init", 0))
        {
            case Init.GlorotUniform: return "GlorotUniform";
            case Init.GlorotNormal: return "GlorotNormal";
            case Init.HeUniform: return "HeUniform";
            case Init.HeNormal: return "HeNormal";
            case Init.LeCunUniform: return "LeCunUniform";
            case Init.LeCunNormal: return "LeCunNormal";
        }
        var ops = _model.Nodes[node].Ops;
        for (int i = op + 1; i < ops.Count; i++)
        {
            var kind = ops[i].Kind;
            if (kind is OpKind.BatchNorm or OpKind.Dropout) continue;
            return kind is OpKind.ReLU or OpKind.LeakyReLU or OpKind.PReLU or OpKind.ELU or OpKind.GELU or OpKind.SiLU or OpKind.Swish
                ? "HeUniform" : "GlorotUniform";
        }
        return "GlorotUniform";
    }

    // ---- layers -----------------------------------------------------------------------------

    private (string, int[], string)? Dense(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        int units = model.Int("units", 0);
        if (!Positive(node, op, label, "units", units)) return null;
        if (shape.Length == 3)
        {
            Report(DiagnosticCatalog.WrongRank, DiagnosticTarget.OfOp(node, op), label,
                $"Dense needs a vector [features] or a sequence [T, features], but its input is the image {Text(shape)}; add Flatten before it (DslNet never flattens implicitly)");
            return null;
        }
        int inFeatures = shape[shape.Length - 1];
        int rows = shape.Length == 2 ? shape[0] : 1;
        int asserted = model.Int("InFeatures", 0);
        if (asserted != 0 && asserted != inFeatures)
        {
            Report(DiagnosticCatalog.SizeAssertion, DiagnosticTarget.OfOp(node, op, "InFeatures"), label, "InFeatures", asserted, Text(shape), $"{inFeatures} features");
            Hint(FixHints.Inferred, inFeatures);
            return null;
        }
        var tensors = new List<string>
        {
            AddTensor(_parameters, node, op, "weight", new[] { units, inFeatures }, WeightInit(node, op, model), inFeatures, units),
        };
        if (model.Bool("Bias", true)) tensors.Add(AddTensor(_parameters, node, op, "bias", new[] { units }, "Constant"));
        int[] outShape = rows == 1 && shape.Length == 1 ? new[] { units } : new[] { rows, units };
        string description = $"Dense {units}" + (model.Bool("Bias", true) ? "" : " no bias");
        AddOp(OpKind.Dense, node, op, key, AddSlot(key, Product(outShape)), new[] { slot }, shape, outShape, new[] { inFeatures, units, rows },
            parameters: tensors.ToArray(), description: description);
        return (key, outShape, description);
    }

    private (string, int[], string)? Conv2D(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        int filters = model.Int("filters", 0);
        if (!Positive(node, op, label, "filters", filters)) return null;
        if (!RequireRank(node, op, label, shape, 3, "Conv2D needs an image [C, H, W]")) return null;
        int inChannels = model.Int("InChannels", 0);
        if (inChannels != 0 && inChannels != shape[0])
        {
            Report(DiagnosticCatalog.SizeAssertion, DiagnosticTarget.OfOp(node, op, "InChannels"), label, "InChannels", inChannels, Text(shape), $"{shape[0]} channels");
            Hint(FixHints.Inferred, shape[0]);
            return null;
        }
        var kernel = PerAxis(model, "Kernel", model.Has("kernel") ? "kernel" : "Kernel", model.Int("kernel", 3));
        var stride = PerAxis(model, "Stride", "Stride", 1);
        var dilation = PerAxis(model, "Dilation", "Dilation", 1);
        int padding = model.Int("Padding", 0);
        bool ok = Positive(node, op, label, kernel.HeightArg, kernel.Height) & Positive(node, op, label, kernel.WidthArg, kernel.Width)
                & Positive(node, op, label, stride.HeightArg, stride.Height) & Positive(node, op, label, stride.WidthArg, stride.Width)
                & Positive(node, op, label, dilation.HeightArg, dilation.Height) & Positive(node, op, label, dilation.WidthArg, dilation.Width);
        if (!ok) return null;
        int padH = model.Int("PaddingHeight", -1) is var ph && ph != -1 ? ph : padding;
        int padW = model.Int("PaddingWidth", -1) is var pw && pw != -1 ? pw : padding;
        string padHArg = model.Int("PaddingHeight", -1) != -1 ? "PaddingHeight" : "Padding";
        string padWArg = model.Int("PaddingWidth", -1) != -1 ? "PaddingWidth" : "Padding";
        var windows = Windows(node, op, label, pooling: false,
            new WindowAxis(shape[1], kernel.Height, stride.Height, dilation.Height, padH, kernel.HeightArg, stride.HeightArg, padHArg),
            new WindowAxis(shape[2], kernel.Width, stride.Width, dilation.Width, padW, kernel.WidthArg, stride.WidthArg, padWArg));
        if (windows is not { } resolved) return null;
        var (rows, cols) = resolved;

        int fan = shape[0] * kernel.Height * kernel.Width;
        var tensors = new List<string>
        {
            AddTensor(_parameters, node, op, "weight", new[] { filters, shape[0], kernel.Height, kernel.Width }, WeightInit(node, op, model), fan, filters * kernel.Height * kernel.Width),
        };
        if (model.Bool("Bias", true)) tensors.Add(AddTensor(_parameters, node, op, "bias", new[] { filters }, "Constant"));
        int[] outShape = { filters, rows.Out, cols.Out };
        string description = $"Conv2D {filters}@{kernel.Height}x{kernel.Width}" + WindowText(stride.Height, stride.Width, padH, padW, dilation.Height, dilation.Width, defaultStride: 1)
            + (model.Bool("Bias", true) ? "" : " no bias");
        AddOp(OpKind.Conv2D, node, op, key, AddSlot(key, Product(outShape)), new[] { slot }, shape, outShape,
            new[] { shape[0], shape[1], shape[2], filters, kernel.Height, kernel.Width, stride.Height, stride.Width, rows.Before, cols.Before,
                    dilation.Height, dilation.Width, rows.Out, cols.Out },
            parameters: tensors.ToArray(), description: description);
        return (key, outShape, description);
    }

    private (string, int[], string)? Pool2D(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        string name = model.Kind.ToString();
        if (!RequireRank(node, op, label, shape, 3, $"{name} needs an image [C, H, W]")) return null;
        var kernel = PerAxis(model, "Kernel", "kernel", model.Int("kernel", 0));
        if (!(Positive(node, op, label, kernel.HeightArg, kernel.Height) & Positive(node, op, label, kernel.WidthArg, kernel.Width))) return null;
        int strideBoth = model.Int("Stride", 0);
        int strideH = model.Int("StrideHeight", 0) is var sh && sh != 0 ? sh : strideBoth != 0 ? strideBoth : kernel.Height;
        int strideW = model.Int("StrideWidth", 0) is var sw && sw != 0 ? sw : strideBoth != 0 ? strideBoth : kernel.Width;
        string strideHArg = model.Int("StrideHeight", 0) != 0 ? "StrideHeight" : "Stride";
        string strideWArg = model.Int("StrideWidth", 0) != 0 ? "StrideWidth" : "Stride";
        if (!(Positive(node, op, label, strideHArg, strideH) & Positive(node, op, label, strideWArg, strideW))) return null;
        int padding = model.Int("Padding", 0);
        var windows = Windows(node, op, label, pooling: true,
            new WindowAxis(shape[1], kernel.Height, strideH, 1, padding, kernel.HeightArg, strideHArg, "Padding"),
            new WindowAxis(shape[2], kernel.Width, strideW, 1, padding, kernel.WidthArg, strideWArg, "Padding"));
        if (windows is not { } resolved) return null;
        var (rows, cols) = resolved;
        int[] outShape = { shape[0], rows.Out, cols.Out };
        string description = $"{name} {kernel.Height}x{kernel.Width}" + WindowText(strideH, strideW, padding, padding, 1, 1, defaultStride: kernel.Height == kernel.Width && strideH == strideW ? kernel.Height : -1);
        AddOp(model.Kind, node, op, key, AddSlot(key, Product(outShape)), new[] { slot }, shape, outShape,
            new[] { shape[0], shape[1], shape[2], kernel.Height, kernel.Width, strideH, strideW, rows.Before, cols.Before, rows.Out, cols.Out },
            description: description);
        return (key, outShape, description);
    }

    private static string WindowText(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int defaultStride)
    {
        string text = "";
        if (!(strideH == strideW && strideH == defaultStride)) text += strideH == strideW ? $" stride {strideH}" : $" stride {strideH}x{strideW}";
        if (padH == int.MinValue) text += " pad same";
        else if (padH != 0 || padW != 0) text += padH == padW ? $" pad {padH}" : $" pad {padH}x{padW}";
        if (dilationH != 1 || dilationW != 1) text += dilationH == dilationW ? $" dilation {dilationH}" : $" dilation {dilationH}x{dilationW}";
        return text;
    }

    private readonly record struct AxisPair(int Height, int Width, string HeightArg, string WidthArg);

    /// <summary>A per-axis setting: "XHeight"/"XWidth" when given (non-zero), else the both-axes argument.</summary>
    private static AxisPair PerAxis(OpModel model, string property, string bothArg, int both)
    {
        int h = model.Int(property + "Height", 0), w = model.Int(property + "Width", 0);
        bool hasBoth = model.Has(bothArg);
        int value = hasBoth ? model.Int(bothArg, both) : both;
        return new AxisPair(h != 0 ? h : value, w != 0 ? w : value,
            h != 0 ? property + "Height" : bothArg, w != 0 ? property + "Width" : bothArg);
    }

    private (string, int[], string)? Reshape(int node, int op, string label, OpModel model, string slot, int[] shape)
    {
        int[] target = model.Find("shape")?.Numbers.ToArray() ?? Array.Empty<int>();
        if (target.Length == 0 || target.Any(t => t < 1))
        {
            int inferred = Array.IndexOf(target, -1);
            long known = target.Where(t => t != -1).Aggregate(1L, (a, b) => a * b);
            int elements = Product(shape);
            string hint = inferred >= 0 && target.Count(t => t == -1) == 1 && target.All(t => t == -1 || t >= 1) && elements % known == 0
                ? $"; DslNet does not infer -1 as PyTorch's view does: write Reshape({string.Join(", ", target.Select(t => t == -1 ? elements / known : t))}) for the {Text(shape)} input"
                : target.Length == 0 ? "; give the per-sample shape, e.g. Reshape(" + elements + ")" : "";
            Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, target.Length == 0 ? null : "shape", Array.FindIndex(target, t => t < 1)), label,
                $"Reshape needs sizes of at least 1, not {Text(target)}{hint}");
            return null;
        }
        long count = target.Aggregate(1L, (a, b) => a * b);
        int have = Product(shape);
        if (count != have)
        {
            Report(DiagnosticCatalog.ReshapeCount, DiagnosticTarget.OfOp(node, op, "shape"), label, Text(target), count, Text(shape), have);
            if (target.Length == 1) Hint(FixHints.Inferred, have); // several axes: no single right answer
            return null;
        }
        return (slot, target, $"Reshape {Text(target)}");
    }

    private (string, int[], string)? Dropout(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        double rate = model.Real("rate", 0.5);
        if (!(rate >= 0 && rate < 1))
        {
            Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "rate"), label,
                $"the dropout rate {Number(rate)} must be in [0, 1): it is the probability of dropping a value");
            return null;
        }
        int size = Product(shape);
        string mask = AddSlot(key + "Mask", size);
        AddOp(OpKind.Dropout, node, op, key, AddSlot(key, size), new[] { slot, mask }, shape, shape, new[] { size }, alpha: rate, description: $"Dropout {Number(rate)}");
        return (key, shape, $"Dropout {Number(rate)}");
    }

    private (string, int[], string)? BatchNorm(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        if (shape.Length == 2)
        {
            Report(DiagnosticCatalog.WrongRank, DiagnosticTarget.OfOp(node, op), label,
                $"BatchNorm normalises the features of a vector or the channels of an image, but its input is the sequence {Text(shape)}");
            return null;
        }
        double momentum = model.Real("Momentum", 0.1), epsilon = model.Real("Epsilon", 1e-5);
        if (!(momentum >= 0 && momentum <= 1))
        {
            Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "Momentum"), label, $"Momentum {Number(momentum)} must be in [0, 1] (the weight of the new batch, PyTorch's convention)");
            return null;
        }
        if (!(epsilon > 0 && !double.IsInfinity(epsilon)))
        {
            Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "Epsilon"), label, $"Epsilon {Number(epsilon)} must be greater than 0");
            return null;
        }
        int channels = shape[0], spatial = Product(shape) / channels;
        var parameters = new[]
        {
            AddTensor(_parameters, node, op, "weight", new[] { channels }, "Constant", value: 1),
            AddTensor(_parameters, node, op, "bias", new[] { channels }, "Constant"),
        };
        var state = new[]
        {
            AddTensor(_state, node, op, "running_mean", new[] { channels }, "Constant"),
            AddTensor(_state, node, op, "running_var", new[] { channels }, "Constant", value: 1),
        };
        int scratch = _scratchSize;
        _scratchSize = checked(_scratchSize + 2 * channels);
        AddOp(OpKind.BatchNorm, node, op, key, AddSlot(key, Product(shape)), new[] { slot }, shape, shape, new[] { channels, spatial },
            alpha: momentum, beta: epsilon, parameters: parameters, state: state, scratch: scratch, description: "BatchNorm");
        return (key, shape, "BatchNorm");
    }

    private (string, int[], string)? PReLU(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        bool perChannel = model.Bool("PerChannel", false);
        if (perChannel && shape.Length == 2)
        {
            Report(DiagnosticCatalog.WrongRank, DiagnosticTarget.OfOp(node, op, "PerChannel"), label, $"a per-channel PReLU needs a vector or an image, but its input is the sequence {Text(shape)}");
            return null;
        }
        double init = model.Real("init", 0.25);
        if (!(init >= 0 && init < 1))
        {
            Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "init"), label,
                $"the initial negative slope {Number(init)} must be in [0, 1), as for LeakyReLU (PyTorch starts at 0.25)");
            return null;
        }
        int channels = perChannel ? shape[0] : 1;
        string weight = AddTensor(_parameters, node, op, "weight", new[] { channels }, "Constant", value: model.Real("init", 0.25));
        AddOp(OpKind.PReLU, node, op, key, AddSlot(key, Product(shape)), new[] { slot }, shape, shape, new[] { channels, Product(shape) / channels },
            parameters: new[] { weight }, description: "PReLU");
        return (key, shape, "PReLU");
    }

    private (string, int[], string)? Activation(int node, int op, string key, string label, OpModel model, string slot, int[] shape)
    {
        double alpha = 0;
        string description = model.Kind.ToString();
        switch (model.Kind)
        {
            case OpKind.LeakyReLU:
                alpha = model.Real("slope", 0.01);
                if (!(alpha >= 0 && alpha < 1))
                {
                    Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "slope"), label,
                        $"the negative slope {Number(alpha)} must be in [0, 1): a negative slope flips the sign of negative inputs, and 1 or more makes the layer linear (or inverted)");
                    return null;
                }
                description = $"LeakyReLU {Number(alpha)}";
                break;
            case OpKind.ELU:
                alpha = model.Real("alpha", 1.0);
                if (!(alpha >= 0 && !double.IsInfinity(alpha)))
                {
                    Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "alpha"), label,
                        $"alpha {Number(alpha)} must be 0 or more (it is the value negative inputs saturate to, negated); a negative alpha makes ELU non-monotonic");
                    return null;
                }
                description = $"ELU {Number(alpha)}";
                break;
            case OpKind.Softplus:
                alpha = model.Real("beta", 1.0);
                if (!(alpha > 0 && !double.IsInfinity(alpha)))
                {
                    Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.OfOp(node, op, "beta"), label, $"Softplus beta {Number(alpha)} must be greater than 0");
                    return null;
                }
                description = alpha == 1 ? "Softplus" : $"Softplus {Number(alpha)}";
                break;
        }
        AddOp(model.Kind, node, op, key, AddSlot(key, Product(shape)), new[] { slot }, shape, shape, new[] { Product(shape) }, alpha: alpha, description: description);
        return (key, shape, description);
    }

    // ---- ops that read named nodes ------------------------------------------------------------

    private (string, int[], string)? InferReader(int node, int op, string key, OpModel model, string? slot, int[]? shape)
    {
        string label = Label(node, op);
        if (model.Kind == OpKind.From)
        {
            if (op > 0)
            {
                Report(DiagnosticCatalog.FromNotFirst, DiagnosticTarget.OfOp(node, op), label,
                    string.Join(", ", _model.Nodes[node].Ops.Take(op).Select(o => o.Kind)));
                return null;
            }
            string name = model.Find("node")?.Text ?? "";
            return Resolve(node, op, "node", -1, name) is { } source ? (source.Slot, source.Shape, $"From({name})") : null;
        }

        var names = model.Find("nodes")?.Texts.ToArray() ?? Array.Empty<string>();
        var inputs = new List<(string Name, string Slot, int[] Shape)>();
        if (names.Length < 2)
        {
            if (slot is null || shape is null || names.Length == 0)
            {
                Report(DiagnosticCatalog.MergeArity, DiagnosticTarget.OfOp(node, op), label,
                    $"{model.Kind} needs two or more nodes, e.g. {model.Kind}(nameof(A), nameof(B)); with one name it merges that node into the tensor before it");
                return null;
            }
            inputs.Add((op > 0 ? $"{_model.Nodes[node].Name} so far" : _model.Nodes[node - 1].Name, slot, shape));
        }
        bool resolved = true;
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            if (Resolve(node, op, "nodes", i, name) is { } source) inputs.Add((name, source.Slot, source.Shape));
            else resolved = false;
        }
        if (!resolved) return null;
        if (model.Kind == OpKind.Multiply && inputs.Count != 2)
        {
            Report(DiagnosticCatalog.MergeArity, DiagnosticTarget.OfOp(node, op, "nodes"), label, $"Multiply takes exactly two tensors, not {inputs.Count}; chain two Multiply nodes instead");
            return null;
        }

        _mergeInputShapes.Clear();
        _mergeInputShapes.AddRange(inputs.Select(i => i.Shape));
        string list = string.Join(", ", names);
        var first = inputs[0].Shape;
        if (model.Kind is OpKind.Add or OpKind.Multiply)
        {
            var different = inputs.FirstOrDefault(i => !i.Shape.SequenceEqual(first));
            if (different.Slot is not null)
            {
                Report(DiagnosticCatalog.MergeShapeMismatch, DiagnosticTarget.OfOp(node, op, "nodes", inputs.IndexOf(different) - (inputs.Count - names.Length)), label,
                    $"{model.Kind} needs equal shapes, but {inputs[0].Name} is {Text(first)} and {different.Name} is {Text(different.Shape)}");
                HintKeepSize(inputs[0].Name, first, different.Name, different.Shape, channelsMustMatch: true);
                return null;
            }
            AddOp(model.Kind, node, op, key, AddSlot(key, Product(first)), inputs.Select(i => i.Slot).ToArray(), first, first, new[] { Product(first) },
                description: $"{model.Kind}({list})");
            return (key, first, $"{model.Kind}({list})");
        }

        // Concat along the first axis (channels of an image, features of a vector, steps of a sequence).
        var mismatch = inputs.FirstOrDefault(i => i.Shape.Length != first.Length || !i.Shape.Skip(1).SequenceEqual(first.Skip(1)));
        if (mismatch.Slot is not null)
        {
            Report(DiagnosticCatalog.ConcatMismatch, DiagnosticTarget.OfOp(node, op, "nodes", inputs.IndexOf(mismatch) - (inputs.Count - names.Length)), label,
                $"Concat joins along the first axis and needs the other axes equal, but {inputs[0].Name} is {Text(first)} and {mismatch.Name} is {Text(mismatch.Shape)}");
            HintKeepSize(inputs[0].Name, first, mismatch.Name, mismatch.Shape, channelsMustMatch: false);
            return null;
        }
        int[] outShape = (int[])first.Clone();
        outShape[0] = inputs.Sum(i => i.Shape[0]);
        AddOp(OpKind.Concat, node, op, key, AddSlot(key, Product(outShape)), inputs.Select(i => i.Slot).ToArray(), first, outShape,
            inputs.Select(i => Product(i.Shape)).ToArray(), description: $"Concat({list})");
        return (key, outShape, $"Concat({list})");
    }
}
