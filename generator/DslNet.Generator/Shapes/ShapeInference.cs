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
        if (!_model.IsPartial) Report(DiagnosticCatalog.NotPartial, DiagnosticTarget.Class, _model.ClassName);
        if (_model.HasForeignBaseType) Report(DiagnosticCatalog.ForeignBaseType, DiagnosticTarget.Class, _model.ClassName, "another class");
        if (!_model.Nodes.Any(n => n.IsInput)) Report(DiagnosticCatalog.NoInput, DiagnosticTarget.Class, _model.ClassName);

        for (int i = 0; i < _model.Nodes.Count; i++)
            InferNode(i);

        var outputs = OutputNodes();
        for (int i = 0; i < _model.Nodes.Count; i++)
            if (!_used[i] && !outputs.Contains(i) && !_model.Nodes[i].IsInput)
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
            if (shape.Length == 0 || shape.Length > 3 || shape.Any(d => d < 1))
            {
                Report(DiagnosticCatalog.BadInputShape, DiagnosticTarget.OfNode(index), node.Name,
                    shape.Length == 0 ? "declare the per-sample shape, e.g. [Input(1, 28, 28)] or [Input(784)]"
                    : shape.Length > 3 ? $"{Text(shape)} has {shape.Length} axes; DslNet inputs have 1 to 3 (features; T, features; C, H, W)"
                    : $"every size in {Text(shape)} must be at least 1");
                return;
            }
            if (node.InputIsTokens)
            {
                Report(DiagnosticCatalog.NotSupported, DiagnosticTarget.OfNode(index), node.Name, "token inputs need an Embedding layer, which this version does not have yet");
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
            Report(DiagnosticCatalog.NoPreviousNode, DiagnosticTarget.OfNode(index), node.Name);
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

    private void CheckLoss(HashSet<int> outputs)
    {
        if (outputs.Count != 1 || _model.Loss == 0) return;
        int index = outputs.First();
        if (_nodeOutputs[index] is not { } output) return;
        var loss = (Loss)_model.Loss;
        var node = _model.Nodes[index];
        int units = output.Shape[output.Shape.Length - 1];
        if (loss is Loss.SoftmaxCrossEntropy or Loss.NllLoss && units < 2)
            Report(DiagnosticCatalog.LossMismatch, DiagnosticTarget.Class,
                $"{loss} needs at least 2 classes, but output '{node.Name}' {Text(output.Shape)} has {units}; for one unit use BinaryCrossEntropyWithLogits");
        if (loss is Loss.SoftmaxCrossEntropy or Loss.BinaryCrossEntropyWithLogits && node.Ops.Count > 0 && node.Ops[node.Ops.Count - 1].Kind is OpKind.Softmax or OpKind.Sigmoid)
            Report(DiagnosticCatalog.SoftmaxBeforeLogitsLoss, DiagnosticTarget.OfOp(index, node.Ops.Count - 1), Label(index, node.Ops.Count - 1), loss);
    }
}
