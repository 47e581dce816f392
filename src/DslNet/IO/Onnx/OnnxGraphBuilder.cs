using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using DslNet.IO.Onnx.Proto;
using Google.Protobuf;

namespace DslNet.IO.Onnx;

/// <summary>
/// Accumulates the nodes, initializers and values of an ONNX graph, with unique names and the
/// per-sample shape of every value (the batch dimension is the symbolic "N").
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const string BatchDimension = "N";

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scalars = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new();

    /// <summary>Reserves the value name <paramref name="wanted"/>, or wanted_2, wanted_3… when it is taken.</summary>
    public string UniqueName(string wanted) => Reserve(_names, wanted);

    private static string Reserve(HashSet<string> names, string wanted)
    {
        if (names.Add(wanted)) return wanted;
        for (int i = 2; ; i++)
            if (names.Add($"{wanted}_{i}")) return $"{wanted}_{i}";
    }

    public void Input(string name, int[] sampleShape) => Graph.Input.Add(ValueInfo(UniqueName(name), sampleShape));

    public void Output(string name, int[] sampleShape) => Graph.Output.Add(ValueInfo(name, sampleShape));

    /// <summary>A float initializer with the given full shape (no batch dimension).</summary>
    public string Initializer(string name, int[] shape, ReadOnlySpan<float> values)
    {
        string unique = UniqueName(name);
        var tensor = new TensorProto { Name = unique, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(shape.Select(d => (long)d));
        Graph.Initializer.Add(tensor);
        return unique;
    }

    /// <summary>An int64 vector initializer (Reshape's target shape).</summary>
    public string Int64Initializer(string name, long[] values)
    {
        string unique = UniqueName(name);
        var tensor = new TensorProto { Name = unique, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(values.Length);
        Graph.Initializer.Add(tensor);
        return unique;
    }

    /// <summary>A float scalar constant, shared by every node that uses the same value.</summary>
    public string Scalar(float value)
    {
        string key = BitConverter.SingleToInt32Bits(value).ToString("X8");
        if (!_scalars.TryGetValue(key, out var name))
        {
            name = Initializer("const_" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), Array.Empty<int>(), new[] { value });
            _scalars.Add(key, name);
        }
        return name;
    }

    /// <summary>Adds a node; returns it so attributes can be added.</summary>
    public NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = Reserve(_nodeNames, name) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        Graph.Node.Add(node);
        return node;
    }

    private static ValueInfoProto ValueInfo(string name, int[] sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (int d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}

/// <summary>Attribute helpers for <see cref="NodeProto"/>.</summary>
internal static class OnnxAttributes
{
    public static NodeProto Int(this NodeProto node, string name, long value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return node;
    }

    public static NodeProto Float(this NodeProto node, string name, float value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        return node;
    }

    public static NodeProto Ints(this NodeProto node, string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        node.Attribute.Add(attribute);
        return node;
    }
}
