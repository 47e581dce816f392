using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DslNet.IO;
using DslNet.IO.Onnx.Proto;
using DslNet.Tests.Data;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Parity;

/// <summary>
/// ONNX export: the model passes onnx.checker with full shape inference, the inferred output shape is
/// DslNet's, and the model run on an input gives DslNet's output (tests/fixtures/onnx_check.py with
/// /usr/bin/python3 and python3-onnx; these tests fail with an install hint when it is missing).
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static IEnumerable<object[]> Networks => new[] { "lenet5", "resnet", "inception", "every_op" }.Select(n => new object[] { n });

    private static Network Create(string name, int batch) => name switch
    {
        "lenet5" => new PLeNet5(batch, seed: 1),
        "resnet" => new PResNet(batch, seed: 2),
        "inception" => new PInception(batch, seed: 3),
        _ => new PEveryOp(batch, seed: 4),
    };

    /// <summary>A network with trained weights and moved BatchNorm statistics, and an input batch.</summary>
    private static (Network Net, float[] X) Trained(string name)
    {
        var net = Create(name, 4);
        var random = new Random(9);
        int size = net.Layout.Inputs[0].Slot.Size;
        var x = new float[4 * size];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var output = net.Layout.Outputs[0];
        for (int step = 0; step < 2; step++)
        {
            if (net.Layout.Loss == Loss.SoftmaxCrossEntropy)
                net.TrainStep(x, new[] { 1, 5, 2, 0 }, new Sgd(0.05, momentum: 0.9));
            else
                net.TrainStep(x, Enumerable.Range(0, 4 * output.Slot.Size).Select(i => (float)Math.Sin(i)).ToArray(), new Sgd(0.05), Loss.MeanSquaredError);
        }
        return (net, x);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Exported_model_passes_the_ONNX_checker_and_computes_DslNets_output(string name)
    {
        Python.Require("onnx", "numpy", "torch");
        var (net, x) = Trained(name);
        net.Training = false;
        var y = net.Forward(x).ToArray();
        string model = _folder.File(name + ".onnx"), io = _folder.File(name + ".io.safetensors");
        net.ExportOnnx(model);
        SafeTensors.Write(io, new[]
        {
            new SafeTensor("x", [4, .. net.Layout.Inputs[0].Shape], x),
            new SafeTensor("y", [4, .. net.Layout.Outputs[0].Shape], y),
        });

        string output = Python.RunOrFail("tests/fixtures/onnx_check.py", model, string.Join(",", net.Layout.Outputs[0].Shape), io);

        Assert.StartsWith("ok " + net.Layout.Name, output);
        Assert.Contains("outputs match DslNet's", output);
    }

    [Fact]
    public void The_graph_is_the_inference_form_with_DslNets_tensor_names()
    {
        var (net, _) = Trained("resnet");
        string path = _folder.File("resnet.onnx");
        net.ExportOnnx(path);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

        Assert.Equal(13, model.OpsetImport.Single().Version);
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(4, ops.Count(o => o == "BatchNormalization"));
        Assert.Equal(4, ops.Count(o => o == "Conv"));
        Assert.Contains("GlobalAveragePool", ops);
        Assert.Contains("Gemm", ops);
        // Every parameter and running statistic is an initializer under its checkpoint name, with its values.
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var set in new[] { net.Parameters, net.State })
            for (int i = 0; i < set.Specs.Count; i++)
            {
                var spec = set.Specs[i];
                var tensor = initializers[spec.Name];
                Assert.Equal(spec.Shape.Select(d => (long)d), tensor.Dims);
                var values = new float[spec.Length];
                set.Backend.CopyToHost(set.Value(i), values);
                Assert.Equal(values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray());
            }
        Assert.Equal("Image", model.Graph.Input.Single().Name);
        Assert.Equal("Logits", model.Graph.Output.Single().Name);
        Assert.Equal("N", model.Graph.Input.Single().Type.TensorType.Shape.Dim[0].DimParam);
    }

    [Fact]
    public void Dropout_is_left_out_and_momentum_is_written_in_ONNXs_convention()
    {
        var net = new PEveryOp(2, seed: 1);
        string path = _folder.File("every.onnx");
        net.ExportOnnx(path);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Dropout");
        var bn = model.Graph.Node.First(n => n.OpType == "BatchNormalization");
        Assert.Equal(0.9f, bn.Attribute.Single(a => a.Name == "momentum").F, 6);
        Assert.Equal(1e-5f, bn.Attribute.Single(a => a.Name == "epsilon").F);
    }

    [Fact]
    public void Export_into_a_missing_folder_names_it_and_writes_nothing()
    {
        string path = Path.Combine(_folder.Path, "missing", "m.onnx");
        var e = Assert.Throws<DirectoryNotFoundException>(() => new PInception(1).ExportOnnx(path));
        Assert.Contains(Path.Combine(_folder.Path, "missing"), e.Message);
        Assert.Empty(_folder.Entries());
    }
}
