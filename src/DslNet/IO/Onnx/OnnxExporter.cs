using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DslNet.Backends;
using DslNet.IO.Onnx.Proto;
using DslNet.Training;
using Google.Protobuf;

namespace DslNet.IO.Onnx;

/// <summary>
/// Writes a network as an ONNX model (opset 13, IR version 7) in its inference form, from the op
/// descriptions the generator put in <see cref="NetworkLayout.Ops"/> and the current parameters:
/// BatchNorm becomes BatchNormalization with the running statistics, Dropout disappears, GELU and
/// SiLU are composed from primitives (Erf, Sigmoid, Mul), a Softplus with β ≠ 1 becomes
/// Softplus(βx)/β. Initializers carry DslNet's tensor names ("C1.weight"); graph inputs and outputs
/// carry the port names with a symbolic batch dimension "N". See docs/onnx.md.
/// </summary>
public static class OnnxExporter
{
    public const int OpsetVersion = 13;
    public const int IrVersion = 7;

    /// <summary>Builds the model in memory.</summary>
    internal static ModelProto Build(Network net)
    {
        ArgumentNullException.ThrowIfNull(net);
        var layout = net.Layout;
        if (layout.Ops is null)
            throw new InvalidOperationException(
                $"{layout.Name}: its layout has no op descriptions (NetworkLayout.Ops), so it cannot be exported; rebuild it with the current DslNet generator.");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX export writes little-endian raw tensor data and needs a little-endian machine.");

        var graph = new OnnxGraphBuilder();
        graph.Graph.Name = layout.Name;
        var writer = new OpWriter(net, graph);
        foreach (var port in layout.Inputs)
        {
            graph.Input(port.Name, port.Shape);
            writer.Define(port.Slot, port.Name, port.Shape);
        }
        foreach (var port in layout.Outputs) graph.UniqueName(port.Name); // reserved for the graph outputs
        foreach (var op in layout.Ops) writer.Write(op);
        foreach (var port in layout.Outputs)
        {
            // Usually the last op already wrote the value under the port's name; a node that ends
            // with a view (Flatten, Reshape) gets the reshaped value renamed.
            string value = writer.Read(port.Slot, port.Shape, port.Name);
            if (value != port.Name)
                graph.Node("Identity", port.Name, new[] { value }, port.Name);
            graph.Output(port.Name, port.Shape);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "DslNet",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph.Graph,
            DocString = $"{layout.Name} exported by DslNet in inference form.",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model;
    }

    /// <summary>Writes the ONNX model of <paramref name="net"/> to <paramref name="path"/>, atomically.</summary>
    public static void Export(Network net, string path)
    {
        var model = Build(net); // every check happens before a file is touched
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>Translates op descriptors into ONNX nodes, tracking which ONNX value holds each activation slot.</summary>
    private sealed class OpWriter
    {
        private readonly Network _net;
        private readonly OnnxGraphBuilder _graph;
        private readonly Dictionary<ActivationSlot, (string Name, int[] Shape)> _slots = new();
        private readonly Dictionary<ActivationSlot, string> _nodeNames;
        private readonly Dictionary<string, string> _initializers = new(StringComparer.Ordinal);

        public OpWriter(Network net, OnnxGraphBuilder graph)
        {
            _net = net;
            _graph = graph;
            _nodeNames = net.Layout.Nodes.GroupBy(n => n.Slot).ToDictionary(g => g.Key, g => g.First().Name);
        }

        public void Define(ActivationSlot slot, string name, int[] shape) => _slots[slot] = (name, shape);

        /// <summary>
        /// The ONNX value holding <paramref name="slot"/> with per-sample shape <paramref name="shape"/>:
        /// Flatten and Reshape are views in DslNet, so a different shape is read through a Flatten
        /// (to a vector) or a Reshape (batch dimension kept with 0).
        /// </summary>
        public string Read(ActivationSlot slot, int[] shape, string reader)
        {
            if (!_slots.TryGetValue(slot, out var value))
                throw new InvalidOperationException($"{_net.Layout.Name}: {reader} reads an activation no earlier op wrote (slot {slot}).");
            if (value.Shape.SequenceEqual(shape)) return value.Name;
            string output = _graph.UniqueName($"{value.Name}_as_{string.Join("x", shape)}");
            if (shape.Length == 1)
            {
                _graph.Node("Flatten", output, new[] { value.Name }, output).Int("axis", 1);
            }
            else
            {
                string target = _graph.Int64Initializer(output + "_shape", new long[] { 0 }.Concat(shape.Select(d => (long)d)).ToArray());
                _graph.Node("Reshape", output, new[] { value.Name, target }, output);
            }
            return output;
        }

        /// <summary>Keys for values that have no slot: the output of a layer before its fused activation.</summary>
        private int _unstoredValues;

        public void Write(OpDescriptor op)
        {
            if (op.Activation is { } activation)
            {
                // ONNX has no fused form: write the layer into a value of its own, then the activation,
                // labelled as the attribute it was in the node (Index + 1).
                var preActivation = new ActivationSlot(-1 - _unstoredValues++, op.Output.Size);
                Write(op with { Output = preActivation, Activation = null, ActivationAlpha = 0f });
                Write(new OpDescriptor(activation, op.Node, op.Index + 1, new[] { preActivation }, op.Output,
                    op.OutputShape, op.OutputShape, Alpha: op.ActivationAlpha));
                return;
            }
            string label = $"{op.Node}.{op.Index}";
            string x = Read(op.Inputs[0], op.InputShapeOf(0), label);
            // The op's output is named after the output port or the node it ends, else "Node.i".
            var port = _net.Layout.Outputs.FirstOrDefault(p => p.Slot == op.Output && p.Shape.SequenceEqual(op.OutputShape));
            string output = port is not null ? port.Name
                : _graph.UniqueName(_nodeNames.TryGetValue(op.Output, out var nodeName) ? nodeName : label);
            string Step(string what) => _graph.UniqueName($"{label}.{what}");

            switch (op.Kind)
            {
                case OpKind.Dense:
                    WriteDense(op, x, output, label, Step);
                    break;
                case OpKind.Conv2D:
                {
                    var g = (Conv2DGeometry)op.Geometry!;
                    var inputs = new List<string> { x }.Concat(op.Parameters.Select(Parameter)).ToArray();
                    _graph.Node("Conv", label, inputs, output)
                        .Ints("kernel_shape", g.KernelHeight, g.KernelWidth)
                        .Ints("strides", g.StrideHeight, g.StrideWidth)
                        .Ints("dilations", g.DilationHeight, g.DilationWidth)
                        .Ints("pads", g.PadTop, g.PadLeft,
                            PadAfter(g.InHeight, g.OutHeight, g.KernelHeight, g.StrideHeight, g.DilationHeight, g.PadTop),
                            PadAfter(g.InWidth, g.OutWidth, g.KernelWidth, g.StrideWidth, g.DilationWidth, g.PadLeft));
                    break;
                }
                case OpKind.MaxPool2D:
                case OpKind.AvgPool2D:
                {
                    var g = (Pool2DGeometry)op.Geometry!;
                    var node = _graph.Node(op.Kind == OpKind.MaxPool2D ? "MaxPool" : "AveragePool", label, new[] { x }, output)
                        .Ints("kernel_shape", g.KernelHeight, g.KernelWidth)
                        .Ints("strides", g.StrideHeight, g.StrideWidth)
                        .Ints("pads", g.PadTop, g.PadLeft,
                            PadAfter(g.InHeight, g.OutHeight, g.KernelHeight, g.StrideHeight, 1, g.PadTop),
                            PadAfter(g.InWidth, g.OutWidth, g.KernelWidth, g.StrideWidth, 1, g.PadLeft));
                    if (op.Kind == OpKind.AvgPool2D) node.Int("count_include_pad", 1); // DslNet divides by the whole window
                    break;
                }
                case OpKind.GlobalAvgPool2D:
                {
                    string pooled = Step("pooled");
                    _graph.Node("GlobalAveragePool", label, new[] { x }, pooled);
                    _graph.Node("Flatten", label + ".flatten", new[] { pooled }, output).Int("axis", 1); // [N, C, 1, 1] → [N, C]
                    break;
                }
                case OpKind.Dropout:
                    _slots[op.Output] = (x, op.OutputShape); // identity at inference: no node
                    return;
                case OpKind.BatchNorm:
                    _graph.Node("BatchNormalization", label,
                            new[] { x, Parameter(op.Parameters[0]), Parameter(op.Parameters[1]), State(op.State[0]), State(op.State[1]) }, output)
                        .Float("epsilon", op.Beta)
                        .Float("momentum", 1f - op.Alpha); // ONNX weighs the running value; DslNet (PyTorch) the batch
                    break;
                case OpKind.ReLU: _graph.Node("Relu", label, new[] { x }, output); break;
                case OpKind.LeakyReLU: _graph.Node("LeakyRelu", label, new[] { x }, output).Float("alpha", op.Alpha); break;
                case OpKind.ELU: _graph.Node("Elu", label, new[] { x }, output).Float("alpha", op.Alpha); break;
                case OpKind.Sigmoid: _graph.Node("Sigmoid", label, new[] { x }, output); break;
                case OpKind.Tanh: _graph.Node("Tanh", label, new[] { x }, output); break;
                case OpKind.PReLU:
                {
                    string slope = Parameter(op.Parameters[0]);
                    int channels = _net.Parameters.Specs[_net.Parameters.IndexOf(op.Parameters[0])].Length;
                    if (channels > 1 && op.InputShape.Length == 3)
                    {
                        // One slope per channel of an image broadcasts from [C, 1, 1].
                        string shaped = Step("slope");
                        _graph.Node("Reshape", shaped, new[] { slope, _graph.Int64Initializer(shaped + "_shape", new long[] { channels, 1, 1 }) }, shaped);
                        slope = shaped;
                    }
                    _graph.Node("PRelu", label, new[] { x, slope }, output);
                    break;
                }
                case OpKind.GELU:
                {
                    // x·Φ(x) = 0.5·x·(1 + erf(x/√2)), PyTorch's exact GELU.
                    string scaled = Step("scaled"), erf = Step("erf"), plus = Step("plus1"), times = Step("times_x");
                    _graph.Node("Div", scaled, new[] { x, _graph.Scalar(MathF.Sqrt(2f)) }, scaled);
                    _graph.Node("Erf", erf, new[] { scaled }, erf);
                    _graph.Node("Add", plus, new[] { erf, _graph.Scalar(1f) }, plus);
                    _graph.Node("Mul", times, new[] { x, plus }, times);
                    _graph.Node("Mul", label, new[] { times, _graph.Scalar(0.5f) }, output);
                    break;
                }
                case OpKind.SiLU:
                {
                    string sigmoid = Step("sigmoid");
                    _graph.Node("Sigmoid", sigmoid, new[] { x }, sigmoid);
                    _graph.Node("Mul", label, new[] { x, sigmoid }, output);
                    break;
                }
                case OpKind.Softplus:
                    if (op.Alpha == 1f)
                    {
                        _graph.Node("Softplus", label, new[] { x }, output);
                    }
                    else
                    {
                        // log(1 + e^(βx))/β
                        string scaled = Step("scaled"), softplus = Step("softplus");
                        _graph.Node("Mul", scaled, new[] { x, _graph.Scalar(op.Alpha) }, scaled);
                        _graph.Node("Softplus", softplus, new[] { scaled }, softplus);
                        _graph.Node("Div", label, new[] { softplus, _graph.Scalar(op.Alpha) }, output);
                    }
                    break;
                case OpKind.Softmax: _graph.Node("Softmax", label, new[] { x }, output).Int("axis", -1); break;
                case OpKind.LogSoftmax: _graph.Node("LogSoftmax", label, new[] { x }, output).Int("axis", -1); break;
                case OpKind.Add:
                case OpKind.Multiply:
                {
                    string type = op.Kind == OpKind.Add ? "Add" : "Mul";
                    string sum = x;
                    for (int i = 1; i < op.Inputs.Length; i++)
                    {
                        string next = i == op.Inputs.Length - 1 ? output : Step($"partial{i}");
                        _graph.Node(type, i == op.Inputs.Length - 1 ? label : next, new[] { sum, Read(op.Inputs[i], op.InputShapeOf(i), label) }, next);
                        sum = next;
                    }
                    break;
                }
                case OpKind.Concat:
                {
                    var inputs = Enumerable.Range(0, op.Inputs.Length).Select(i => i == 0 ? x : Read(op.Inputs[i], op.InputShapeOf(i), label)).ToArray();
                    _graph.Node("Concat", label, inputs, output).Int("axis", 1); // the first per-sample axis
                    break;
                }
                default:
                    throw new NotSupportedException($"{_net.Layout.Name}: {label} is a {op.Kind}, which the ONNX exporter does not know.");
            }
            _slots[op.Output] = (output, op.OutputShape);
        }

        private void WriteDense(OpDescriptor op, string x, string output, string label, Func<string, string> step)
        {
            var g = (DenseGeometry)op.Geometry!;
            string weight = Parameter(op.Parameters[0]);
            if (g.RowsPerSample == 1 && op.InputShape.Length == 1)
            {
                // y = x·Wᵀ + b with W [out, in] as stored.
                var inputs = op.Parameters.Length > 1 ? new[] { x, weight, Parameter(op.Parameters[1]) } : new[] { x, weight };
                _graph.Node("Gemm", label, inputs, output).Int("transB", 1);
                return;
            }
            // A sequence [T, F]: Dense applies per step, MatMul broadcasts over the batch and steps.
            string transposed = step("weight_t");
            _graph.Node("Transpose", transposed, new[] { weight }, transposed).Ints("perm", 1, 0);
            if (op.Parameters.Length == 1)
            {
                _graph.Node("MatMul", label, new[] { x, transposed }, output);
                return;
            }
            string product = step("matmul");
            _graph.Node("MatMul", product, new[] { x, transposed }, product);
            _graph.Node("Add", label, new[] { product, Parameter(op.Parameters[1]) }, output);
        }

        /// <summary>Padding after the last row/column so that ONNX's floor formula gives DslNet's output size.</summary>
        private static long PadAfter(int input, int output, int kernel, int stride, int dilation, int before)
        {
            long extent = (long)dilation * (kernel - 1) + 1;
            return Math.Max(0, (long)(output - 1) * stride + extent - input - before);
        }

        private string Parameter(string name) => Tensor(_net.Parameters, name);

        private string State(string name) => Tensor(_net.State, name);

        /// <summary>The initializer of a named tensor, added on first use with the network's current values.</summary>
        private string Tensor(ParameterSet set, string name)
        {
            if (_initializers.TryGetValue(name, out var existing)) return existing;
            int index = set.IndexOf(name);
            var spec = set.Specs[index];
            var values = new float[spec.Length];
            set.Backend.CopyToHost(set.Value(index), values);
            string initializer = _graph.Initializer(name, spec.Shape, values);
            _initializers.Add(name, initializer);
            return initializer;
        }
    }
}
