using System;
using System.Collections.Generic;
using DslNet.IO;
using DslNet.Tests.Data;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Parity;

/// <summary>
/// safetensors checkpoints between PyTorch and DslNet, both ways, with tests/fixtures/torch_checkpoints.py
/// run by /usr/bin/python3 (these tests fail, saying what to install, when python3-torch is missing).
/// </summary>
public sealed class PyTorchCheckpointTests : IDisposable, IClassFixture<PyTorchCheckpointTests.WrittenByPyTorch>
{
    private const string Script = "tests/fixtures/torch_checkpoints.py";
    private readonly TempFolder _folder = new();
    private readonly WrittenByPyTorch _pytorch;

    public PyTorchCheckpointTests(WrittenByPyTorch pytorch) => _pytorch = pytorch;

    public void Dispose() => _folder.Dispose();

    /// <summary>The checkpoints PyTorch writes, made once for the class (starting torch takes seconds).</summary>
    public sealed class WrittenByPyTorch : IDisposable
    {
        private readonly Lazy<TempFolder> _folder = new(() =>
        {
            Python.Require("torch", "numpy");
            var folder = new TempFolder();
            Python.RunOrFail(Script, "write", folder.Path);
            return folder;
        });

        public string File(string name) => _folder.Value.File(name);

        public void Dispose()
        {
            if (_folder.IsValueCreated) _folder.Value.Dispose();
        }
    }

    public static IEnumerable<object[]> Models => new[] { new object[] { "lenet5" }, new object[] { "resnet" } };

    private static Network Create(string name, int batch, int seed = 0) =>
        name == "lenet5" ? new PLeNet5(batch, seed) : new PResNet(batch, seed);

    [Theory]
    [MemberData(nameof(Models))]
    public void A_checkpoint_PyTorch_wrote_loads_and_gives_PyTorchs_outputs(string name)
    {
        // lenet5: float32, renamed from nn.Sequential keys by dslnet_interop.save_for_dslnet.
        // resnet: the raw state_dict, float64, with its I64 num_batches_tracked counters.
        var io = SafeTensors.Read(_pytorch.File(name + ".io.safetensors"));
        var x = io.ReadFloats("x");
        var net = Create(name, x.Length / Create(name, 1).Layout.Inputs[0].Slot.Size, seed: 5);

        net.Load(_pytorch.File(name + ".safetensors"));

        Fixture.AssertClose($"{name} loaded from PyTorch: y", io.ReadFloats("y"), net.Forward(x).ToArray(), 1e-5);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_checkpoint_DslNet_wrote_loads_into_PyTorch_and_gives_DslNets_outputs(string name)
    {
        Python.Require("torch", "numpy");
        var random = new Random(3);
        var net = Create(name, 4, seed: 11);
        int size = net.Layout.Inputs[0].Slot.Size;
        var batch = new float[4 * size];
        for (int i = 0; i < batch.Length; i++) batch[i] = (float)(random.NextDouble() * 2 - 1);
        // One training step moves the weights and the BatchNorm running statistics off their initial values.
        net.TrainStep(batch, new[] { 1, 7, 3, 0 }, new Sgd(learningRate: 0.05, momentum: 0.9));
        var x = batch.AsSpan(0, 3 * size).ToArray();
        var y = net.Forward(x).ToArray();
        string checkpoint = _folder.File(name + ".safetensors"), io = _folder.File(name + ".io.safetensors");
        net.Save(checkpoint);
        SafeTensors.Write(io, new[]
        {
            new SafeTensor("x", [3, .. net.Layout.Inputs[0].Shape], x),
            new SafeTensor("y", [3, .. net.Layout.Outputs[0].Shape], y),
        });

        string output = Python.RunOrFail(Script, "check", name, checkpoint, io);

        Assert.StartsWith("ok " + name, output);
    }
}
