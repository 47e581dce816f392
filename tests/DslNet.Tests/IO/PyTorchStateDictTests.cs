using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using DslNet.IO;
using DslNet.Tests.Data;
using DslNet.Tests.Parity;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.IO;

/// <summary>What a PyTorch state_dict brings that DslNet's own checkpoints do not: counters, other dtypes.</summary>
public sealed class PyTorchStateDictTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A safetensors file written by hand, as PyTorch would: the BatchNorm node's tensors in F32, plus extras.</summary>
    private string StateDict(string name, string bnWeightDtype, bool withCounter)
    {
        var header = new StringBuilder("{");
        var data = new MemoryStream();
        void Tensor(string tensor, string dtype, int[] shape, byte[] bytes)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{tensor}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Length},{data.Length + bytes.Length}]}}");
            data.Write(bytes);
        }
        byte[] Floats(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
        // PBatchNorm1D: Y.weight, Y.bias [6]; Y.running_mean, Y.running_var [6].
        Tensor("Y.weight", bnWeightDtype, [6], bnWeightDtype == "I64" ? new byte[48] : Floats(1, 2, 3, 4, 5, 6));
        Tensor("Y.bias", "F32", [6], Floats(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f));
        Tensor("Y.running_mean", "F32", [6], Floats(-1, -2, -3, -4, -5, -6));
        Tensor("Y.running_var", "F32", [6], Floats(2, 2, 2, 2, 2, 2));
        if (withCounter) Tensor("Y.num_batches_tracked", "I64", [], BitConverter.GetBytes(17L));
        header.Append('}');
        string json = header.ToString().PadRight((header.Length + 7) / 8 * 8);
        string path = _folder.File(name);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(json));
        file.Write(data.ToArray());
        return path;
    }

    private static float[] Host(ParameterSet set)
    {
        var values = new float[set.Count];
        set.Backend.CopyToHost(set.Values.View, values);
        return values;
    }

    [Fact]
    public void BatchNorm_num_batches_tracked_is_ignored_on_load()
    {
        var net = new PBatchNorm1D(2);
        net.Load(StateDict("bn.safetensors", "F32", withCounter: true));
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f }, Host(net.Parameters));
        Assert.Equal(new[] { -1f, -2, -3, -4, -5, -6, 2, 2, 2, 2, 2, 2 }, Host(net.State));
    }

    [Fact]
    public void An_integer_tensor_where_a_weight_is_expected_is_refused_by_name_and_nothing_changes()
    {
        var net = new PBatchNorm1D(2, seed: 4);
        float[] parameters = Host(net.Parameters), state = Host(net.State);
        string path = StateDict("int.safetensors", "I64", withCounter: true);
        var e = Assert.Throws<NotSupportedException>(() => net.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'Y.weight' has dtype I64", e.Message);
        Assert.Contains("tensor.float()", e.Message);
        Assert.Equal(parameters, Host(net.Parameters));
        Assert.Equal(state, Host(net.State));
    }

    [Fact]
    public void A_network_checkpoint_survives_a_write_that_fails_halfway()
    {
        // Save goes through AtomicFile: a second save that dies after writing part of a real
        // checkpoint leaves the first file whole, and no temporary file behind.
        string path = _folder.File("resnet.safetensors");
        var first = new PResNet(2, seed: 1);
        first.Save(path);
        byte[] saved = File.ReadAllBytes(path);

        var second = new PResNet(2, seed: 2);
        Checkpoint.Save(_folder.File("other.safetensors"), second.Parameters, second.State);
        byte[] full = File.ReadAllBytes(_folder.File("other.safetensors"));
        File.Delete(_folder.File("other.safetensors"));
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(full.AsSpan(0, full.Length / 2));
            stream.Flush();
            throw new IOException("the process was killed");
        }));

        Assert.Equal(saved, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _folder.Entries());
        var reloaded = new PResNet(2, seed: 3);
        reloaded.Load(path);
        Assert.Equal(Host(first.Parameters), Host(reloaded.Parameters));
        Assert.Equal(Host(first.State), Host(reloaded.State));
    }
}
