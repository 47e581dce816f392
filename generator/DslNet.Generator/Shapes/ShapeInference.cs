using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;

namespace DslNet.Generator.Shapes;

/// <summary>
/// The one shape-inference engine, shared by the generator and the analyzers: a pure function from a
/// <see cref="NetworkModel"/> to a <see cref="NetworkPlan"/> (shapes, geometry, tensors, buffer
/// layout) and the list of everything wrong with it. Every size formula of DslNet lives here once.
/// It never throws on any model: whatever it cannot resolve becomes a diagnostic.
/// </summary>
internal sealed partial class ShapeInference
{
    private readonly NetworkModel _model;
    private readonly List<DslDiagnostic> _diagnostics = new();
    private readonly List<OpPlan> _ops = new();
    private readonly List<NodePlan> _nodes = new();
    private readonly List<SlotPlan> _slots = new();
    private readonly List<TensorPlan> _parameters = new();
    private readonly List<TensorPlan> _state = new();
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly bool[] _used;
    private readonly (string Slot, int[] Shape)?[] _nodeOutputs;
    private readonly List<int[]> _mergeInputShapes = new();
    private int _activationSize;
    private int _scratchSize;

    private ShapeInference(NetworkModel model)
    {
        _model = model;
        _used = new bool[model.Nodes.Count];
        _nodeOutputs = new (string, int[])?[model.Nodes.Count];
        for (int i = 0; i < model.Nodes.Count; i++)
            if (!_nodeIndex.ContainsKey(model.Nodes[i].Name)) _nodeIndex.Add(model.Nodes[i].Name, i);
    }

    /// <summary>Infers every shape. The plan is null when any error was found.</summary>
    public static (NetworkPlan? Plan, EquatableArray<DslDiagnostic> Diagnostics) Run(NetworkModel model)
    {
        var engine = new ShapeInference(model);
        try
        {
            engine.InferAll();
        }
        catch (Exception e) when (e is OverflowException or ArithmeticException)
        {
            // Absurd sizes (int.MaxValue channels…) overflow; report rather than crash the IDE.
            engine.Report(DiagnosticCatalog.OutOfRange, DiagnosticTarget.Class, model.ClassName, "sizes overflow 32-bit arithmetic");
        }
        var diagnostics = engine._diagnostics.ToEquatableArray();
        bool ok = !engine._diagnostics.Any(d => d.Info.Severity == Severity.Error) && !model.HasCompileErrors;
        if (!ok) return (null, diagnostics);
        var plan = new NetworkPlan(model, engine._nodes.ToEquatableArray(), engine._ops.ToEquatableArray(), engine._slots.ToEquatableArray(),
            engine._parameters.ToEquatableArray(), engine._state.ToEquatableArray(), engine._activationSize, engine._scratchSize,
            engine._parameters.Sum(p => (long)p.Length));
        return (plan, diagnostics);
    }

    /// <summary>Records a finding once: the same finding for both axes of one argument (Stride = 0) is one diagnostic.</summary>
    private void Report(string id, DiagnosticTarget target, params object[] args)
    {
        var diagnostic = new DslDiagnostic(id, target, args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToEquatableArray());
        if (!_diagnostics.Contains(diagnostic)) _diagnostics.Add(diagnostic);
    }

    private void InferAll()
    {
        if (_model.IsGeneric)
        {
            // One class is one network with fixed shapes; a type parameter could not change any of them.
            Report(DiagnosticCatalog.NotSupported, DiagnosticTarget.Class, _model.ClassName,
                "a network cannot be generic (nor nested in a generic class): its shapes and code are fixed at compile time; remove the type parameters");
            return;
        }
        if (!_model.IsPartial) Report(DiagnosticCatalog.NotPartial, DiagnosticTarget.Class, _model.ClassName);
        if (_model.HasForeignBaseType) Report(DiagnosticCatalog.ForeignBaseType, DiagnosticTarget.OfBaseType, _model.ClassName, _model.ForeignBase);
        if (!_model.Nodes.Any(n => n.IsInput)) Report(DiagnosticCatalog.NoInput, DiagnosticTarget.Class, _model.ClassName);

        for (int i = 0; i < _model.Nodes.Count; i++)
            InferNode(i);

        var outputs = OutputNodes();
        // After an error, nodes that would have read the broken one look unused: say nothing until it is fixed.
        if (!_diagnostics.Any(d => d.Info.Severity == Severity.Error))
            for (int i = 0; i < _model.Nodes.Count; i++)
                if (!_used[i] && !outputs.Contains(i))
                    Report(DiagnosticCatalog.UnusedNode, DiagnosticTarget.OfNode(i), _model.Nodes[i].Name);
        CheckLoss(outputs);
    }

    /// <summary>The nodes marked [Output], or the last node when none is.</summary>
    public HashSet<int> OutputNodes()
    {
        var marked = new HashSet<int>(Enumerable.Range(0, _model.Nodes.Count).Where(i => _model.Nodes[i].IsOutput));
        if (marked.Count == 0 && _model.Nodes.Count > 0) marked.Add(_model.Nodes.Count - 1);
        return marked;
    }

    private void InferNode(int index)
    {
        var node = _model.Nodes[index];
        if (!node.IsPartialTensor) Report(DiagnosticCatalog.NodeNotPartialTensor, DiagnosticTarget.OfNode(index), node.Name);

        // Where the node starts: its input data, the previous node, or (decided by its first op) a named node.
        string? slot = null;
        int[]? shape = null;
        if (node.IsInput)
        {
            shape = node.InputShape.ToArray();
            int bad = Array.FindIndex(shape, d => d < 1);
            if (shape.Length == 0 || shape.Length > 3 || bad >= 0)
            {
                Report(DiagnosticCatalog.BadInputShape, DiagnosticTarget.OfInput(index, shape.Length is > 0 and <= 3 ? bad : -1), node.Name,
                    shape.Length == 0 ? "declare the per-sample shape, e.g. [Input(1, 28, 28)] or [Input(784)]"
                    : shape.Length > 3 ? $"{Text(shape)} has {shape.Length} axes; DslNet inputs have 1 to 3 (features; T, features; C, H, W) and never declare the batch"
                    : $"size {shape[bad]} in {Text(shape)} must be at least 1");
                return;
            }
            if (node.InputIsTokens)
            {
                Report(DiagnosticCatalog.NotSupported, DiagnosticTarget.OfInput(index), node.Name, "token inputs need an Embedding layer, which this version does not have yet");
                return;
            }
            slot = AddSlot(node.Name, Product(shape));
        }
        else if (index > 0 && (node.Ops.Count == 0 || !ReadsNamedNodes(node.Ops[0])))
        {
            if (_nodeOutputs[index - 1] is not { } previous) return; // the previous node is already reported
            (slot, shape) = previous;
            _used[index - 1] = true;
        }
        else if (index == 0 && (node.Ops.Count == 0 || !ReadsNamedNodes(node.Ops[0])))
        {
            // Without any [Input], DSL0003 already says what is missing.
            if (_model.Nodes.Any(n => n.IsInput)) Report(DiagnosticCatalog.NoPreviousNode, DiagnosticTarget.OfNode(index), node.Name);
            return;
        }

        string inputText = shape is null ? "" : Text(shape);
        var descriptions = new List<string>();
        long parameterCount = 0;
        for (int op = 0; op < node.Ops.Count; op++)
        {
            bool last = op == node.Ops.Count - 1;
            string key = last ? node.Name : node.Name + "_" + op.ToString(CultureInfo.InvariantCulture);
            int parametersBefore = _parameters.Count;
            var result = InferOp(index, op, key, slot, shape);
            if (result is null) return; // reported; later nodes that read this one are skipped
            (slot, shape, string description) = result.Value;
            if (op == 0 && ReadsNamedNodes(node.Ops[0]))
                inputText = node.Ops[0].Kind == OpKind.From ? Text(shape!) : string.Join(" + ", _mergeInputShapes.Select(Text));
            if (description.Length > 0) descriptions.Add(description);
            for (int p = parametersBefore; p < _parameters.Count; p++) parameterCount += _parameters[p].Length;
        }

        _nodeOutputs[index] = (slot!, shape!);
        _nodes.Add(new NodePlan(node.Name, node.Modifiers, slot!, shape!.ToEquatableArray(), inputText, node.IsInput,
            OutputNodes().Contains(index), node.IsInput ? "Input" : string.Join(" + ", descriptions), parameterCount));
    }

    private static bool ReadsNamedNodes(OpModel op) => op.Kind is OpKind.From or OpKind.Add or OpKind.Multiply or OpKind.Concat;

    private string AddSlot(string name, int size)
    {
        _slots.Add(new SlotPlan(name, _activationSize, size));
        _activationSize = checked(_activationSize + size);
        return name;
    }

    /// <summary>Resolves a node name read by a From or merge op (marking it used), or reports why it cannot.</summary>
    private (string Slot, int[] Shape)? Resolve(int node, int op, string argument, int index, string name)
    {
        string label = Label(node, op);
        if (!_nodeIndex.TryGetValue(name, out int target))
        {
            Report(DiagnosticCatalog.UnknownNode, DiagnosticTarget.OfOp(node, op, argument, index), label, name);
            return null;
        }
        if (target >= node)
        {
            Report(DiagnosticCatalog.LaterNode, DiagnosticTarget.OfOp(node, op, argument, index), label, name);
            return null;
        }
        _used[target] = true;
        return _nodeOutputs[target];
    }

    private string Label(int node, int op) =>
        op < 0 ? _model.Nodes[node].Name : $"{_model.Nodes[node].Name}: {_model.Nodes[node].Ops[op].Kind}";

    internal static int Product(IEnumerable<int> shape)
    {
        int n = 1;
        foreach (int d in shape) n = checked(n * d);
        return n;
    }

    internal static string Text(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Whether the declared loss fits the output it trains: its size, its rank, and the activation before it.</summary>
    private void CheckLoss(HashSet<int> outputs)
    {
        if (_model.Loss == 0 || outputs.Count == 0) return; // no nodes: DSL0003 says so
        var loss = (Loss)_model.Loss;
        var at = DiagnosticTarget.OfNetworkArgument("Loss");
        if (outputs.Count > 1)
        {
            Report(DiagnosticCatalog.LossMismatch, at,
                $"{loss} trains a single output, but {string.Join(", ", outputs.OrderBy(i => i).Select(i => _model.Nodes[i].Name))} are all marked [Output]; "
                + "keep one [Output], or declare no loss and train with Forward/Backward");
            return;
        }
        int index = outputs.First();
        if (_nodeOutputs[index] is not { } output) return; // the node itself is broken and reported
        var node = _model.Nodes[index];
        string name = $"output '{node.Name}' {Text(output.Shape)}";
        int units = output.Shape[output.Shape.Length - 1];
        var last = node.Ops.Count > 0 ? node.Ops[node.Ops.Count - 1].Kind : (OpKind?)null;
        var lastTarget = DiagnosticTarget.OfOp(index, node.Ops.Count - 1);
        bool classification = loss is Loss.SoftmaxCrossEntropy or Loss.NllLoss;

        if (classification && output.Shape.Length == 3)
            Report(DiagnosticCatalog.LossMismatch, at,
                $"{loss} scores classes along the last axis, but {name} is an image; add GlobalAvgPool2D or Flatten, then Dense(classes)");
        else if (classification && units < 2)
            Report(DiagnosticCatalog.LossMismatch, at,
                $"{loss} needs at least 2 classes, but {name} has {units}; for one unit use BinaryCrossEntropyWithLogits");
        else if (loss is Loss.BinaryCrossEntropy or Loss.BinaryCrossEntropyWithLogits && units > 1 && !_model.MultiLabel)
            Report(DiagnosticCatalog.LossMismatch, at,
                $"{loss} scores each of the {units} units of {name} as an independent yes/no label; for one class out of {units} use SoftmaxCrossEntropy, "
                + "or set MultiLabel = true on [Network] if the labels really are independent");

        // (LogSoftmax before SoftmaxCrossEntropy is harmless: log-softmax of log-probabilities changes nothing.)
        if (last is OpKind.Softmax && loss is Loss.SoftmaxCrossEntropy || last is OpKind.Sigmoid && loss is Loss.BinaryCrossEntropyWithLogits)
            Report(DiagnosticCatalog.SoftmaxBeforeLogitsLoss, lastTarget, Label(index, node.Ops.Count - 1), loss,
                last is OpKind.Softmax ? "softmax" : "the sigmoid", last);
        else if (loss is Loss.NllLoss && last is not OpKind.LogSoftmax)
            Report(DiagnosticCatalog.LossActivation, lastTarget.Op < 0 ? DiagnosticTarget.OfNode(index) : lastTarget,
                $"{Label(index, node.Ops.Count - 1)}: NllLoss expects log-probabilities, but {name} does not end with LogSoftmax; add LogSoftmax, or use SoftmaxCrossEntropy on the logits");
        else if (loss is Loss.BinaryCrossEntropy && last is not OpKind.Sigmoid)
            Report(DiagnosticCatalog.LossActivation, lastTarget.Op < 0 ? DiagnosticTarget.OfNode(index) : lastTarget,
                $"{Label(index, node.Ops.Count - 1)}: BinaryCrossEntropy expects probabilities in (0, 1), but {name} does not end with Sigmoid; add Sigmoid, or use BinaryCrossEntropyWithLogits on the logits");
    }
}
