using DslNet.IO.Onnx;

namespace DslNet;

/// <summary>ONNX export as a method of every network: <c>net.ExportOnnx("model.onnx")</c>.</summary>
public static class OnnxNetworkExtensions
{
    /// <summary>
    /// Writes the network, with its current weights and BatchNorm running statistics, as an ONNX model
    /// for inference (opset 13): see <see cref="OnnxExporter"/> and docs/onnx.md. The write is atomic.
    /// </summary>
    public static void ExportOnnx(this Network net, string path) => OnnxExporter.Export(net, path);
}
