using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DslNet.Backends;
using DslNet.IO;
using DslNet.Tests.Data;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Backend _backend = CpuTensors.NewCpu();

    public void Dispose() => _folder.Dispose();

    private ParameterSet Parameters(int seed, params ParameterSpec[] specs)
    {
        var set = new ParameterSet(_backend, specs, trainable: true);
        set.Initialize(seed);
        return set;
    }

    private static ParameterSpec Weight(string name, params int[] shape) =>
        new(name, shape, ParameterInit.GlorotUniform, FanIn: shape.Skip(1).Aggregate(1, (a, b) => a * b), FanOut: shape[0]);

    private static ParameterSpec Bias(string name, int n) => new(name, [n], ParameterInit.Constant);

    private ParameterSpec[] Lenet() =>
        [Weight("C1.weight", 6, 1, 5, 5), Bias("C1.bias", 6), Weight("F1.weight", 10, 24), Bias("F1.bias", 10)];

    private float[] Values(ParameterSet set) => _backend.Download(set.Values.View);

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>A safetensors file built by hand: length, JSON text padded with spaces, raw data.</summary>
    private static byte[] HandBuilt(string json, byte[] data)
    {
        int padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        Encoding.ASCII.GetBytes(json.PadRight(padded)).CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ------------------------------------------------------------------ round trip and layout

    [Fact]
    public void Round_trip_is_bit_identical()
    {
        var source = Parameters(1, Lenet());
        var state = new ParameterSet(_backend, [new("BN.running_var", [3], ParameterInit.Constant, Value: 1f)], trainable: false);
        // Values that a lossy or text-based path would change.
        float[] special = [float.NaN, -0f, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, 1e-38f, BitConverter.Int32BitsToSingle(0x7FC00123)];
        special.CopyTo(source.Value("F1.bias").Span);
        state.Value(0).Span[1] = 0.123456789f;

        string path = _folder.File("net.safetensors");
        Checkpoint.Save(path, source, state);

        var target = Parameters(2, Lenet());
        var targetState = new ParameterSet(_backend, [new("BN.running_var", [3], ParameterInit.Constant)], trainable: false);
        Assert.NotEqual(Bits(Values(source)), Bits(Values(target)));
        Checkpoint.Load(path, target, targetState);
        Assert.Equal(Bits(Values(source)), Bits(Values(target)));
        Assert.Equal(Bits(Values(state)), Bits(Values(targetState)));
    }

    [Fact]
    public void Prefixed_parts_share_one_file_in_the_order_given()
    {
        var g = Parameters(1, Weight("D1.weight", 4, 3), Bias("D1.bias", 4));
        var d = Parameters(2, Weight("D1.weight", 1, 4), Bias("D1.bias", 1));
        string path = _folder.File("gan.safetensors");
        Checkpoint.Save(path, ("generator.", g), ("discriminator.", d));

        var file = SafeTensors.Read(path);
        Assert.Equal(new[] { "generator.D1.weight", "generator.D1.bias", "discriminator.D1.weight", "discriminator.D1.bias" },
            file.Tensors.Select(t => t.Name));
        Assert.Equal(Values(d)[..4], file.ReadFloats("discriminator.D1.weight"));
        Assert.Equal(new[] { 1, 4 }, file["discriminator.D1.weight"].Shape);

        var g2 = Parameters(3, Weight("D1.weight", 4, 3), Bias("D1.bias", 4));
        var d2 = Parameters(4, Weight("D1.weight", 1, 4), Bias("D1.bias", 1));
        Checkpoint.Load(path, ("generator.", g2), ("discriminator.", d2));
        Assert.Equal(Values(g), Values(g2));
        Assert.Equal(Values(d), Values(d2));
    }

    [Fact]
    public void Header_layout_matches_a_hand_built_file_byte_by_byte()
    {
        // {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 characters, padded to 56.
        byte[] expected =
        [
            56, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  "),
            0x00, 0x00, 0x80, 0x3F, // 1.0f, little-endian
            0x00, 0x00, 0x00, 0xC0, // -2.0f
        ];
        string path = _folder.File("tiny.safetensors");
        SafeTensors.Write(path, [new SafeTensor("w", [2], new float[] { 1f, -2f })]);
        Assert.Equal(expected, File.ReadAllBytes(path));

        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new SafeTensor("w", [2], new float[] { 1f, -2f })]);
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Checkpoint_header_puts_metadata_first_then_tensors_in_spec_order()
    {
        var set = new ParameterSet(_backend, [new("b", [1], ParameterInit.Constant, Value: 0.5f), new("a", [], ParameterInit.Constant, Value: 3f)], trainable: true);
        set.Initialize(0);
        string path = _folder.File("meta.safetensors");
        Checkpoint.Save(path, new Dictionary<string, string> { ["epoch"] = "7" }, set);
        const string json = "{\"__metadata__\":{\"format\":\"pt\",\"epoch\":\"7\"},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}";
        byte[] expected = HandBuilt(json, [0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x40, 0x40]);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal("7", Checkpoint.ReadMetadata(path)["epoch"]);
        Assert.Equal("pt", Checkpoint.ReadMetadata(path)["format"]);
    }

    [Fact]
    public void Reads_a_hand_built_file_with_tensors_out_of_header_order()
    {
        string json = "{\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            + "\"early\":{\"shape\":[2,1],\"dtype\":\"F32\",\"data_offsets\":[0,8]},\"__metadata__\":{\"k\":\"v\"}}";
        byte[] data = [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(2.5f), .. BitConverter.GetBytes(-4f)];
        var file = SafeTensors.Read(HandBuilt(json, data), "hand");
        Assert.Equal(new[] { "late", "early" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { 1.5f, 2.5f }, file.ReadFloats("early"));
        Assert.Equal(new[] { -4f }, file.ReadFloats("late"));
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal("[2, 1]", file["early"].ShapeText);
    }

    // ------------------------------------------------------------------ checkpoint mismatches

    [Fact]
    public void A_wrong_shape_names_the_tensor_and_both_shapes_and_changes_nothing()
    {
        var saved = Parameters(1, Weight("C1.weight", 6, 1, 3, 3), Bias("C1.bias", 6));
        string path = _folder.File("x.safetensors");
        Checkpoint.Save(path, saved);

        // C1.bias matches and comes first in neither order: it must still not be copied.
        var net = Parameters(2, Bias("C1.bias", 6), Weight("C1.weight", 6, 1, 5, 5));
        float[] before = Values(net);
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, net));
        Assert.Equal($"Checkpoint '{path}': tensor 'C1.weight' has shape [6, 1, 3, 3] but the network expects [6, 1, 5, 5].", e.Message);
        Assert.Equal(new[] { "C1.weight" }, e.MismatchedTensors);
        Assert.Empty(e.MissingTensors);
        Assert.Empty(e.UnexpectedTensors);
        Assert.Equal(Bits(before), Bits(Values(net)));
    }

    [Fact]
    public void A_missing_tensor_is_listed_and_nothing_changes()
    {
        string path = _folder.File("small.safetensors");
        Checkpoint.Save(path, Parameters(1, Weight("D1.weight", 3, 2)));
        var net = Parameters(2, Weight("D1.weight", 3, 2), Bias("D1.bias", 3));
        float[] before = Values(net);
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, net));
        Assert.Equal($"Checkpoint '{path}' lacks a tensor the network expects: 'D1.bias' [3].", e.Message);
        Assert.Equal(new[] { "D1.bias" }, e.MissingTensors);
        Assert.Equal(Bits(before), Bits(Values(net)));
    }

    [Fact]
    public void Unexpected_tensors_are_listed_and_nothing_changes()
    {
        string path = _folder.File("big.safetensors");
        Checkpoint.Save(path, Parameters(1, Weight("D1.weight", 3, 2), Bias("D1.bias", 3), Weight("D2.weight", 1, 3)));
        var net = Parameters(2, Weight("D1.weight", 3, 2));
        float[] before = Values(net);
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, net));
        Assert.Equal($"Checkpoint '{path}' has 2 tensors the network does not expect: 'D1.bias' [3], 'D2.weight' [1, 3].", e.Message);
        Assert.Equal(new[] { "D1.bias", "D2.weight" }, e.UnexpectedTensors);
        Assert.Equal(Bits(before), Bits(Values(net)));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        string path = _folder.File("all.safetensors");
        Checkpoint.Save(path, Parameters(1, Weight("A", 2, 2), Weight("B", 1, 1)));
        var net = Parameters(2, Weight("A", 2, 3), Weight("C", 1, 1));
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, net));
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Contains("'A' has shape [2, 2] but the network expects [2, 3]", lines[0]);
        Assert.Contains("lacks a tensor the network expects: 'C' [1, 1]", lines[1]);
        Assert.Contains("has a tensor the network does not expect: 'B' [1, 1]", lines[2]);
    }

    [Fact]
    public void A_second_set_that_fails_leaves_the_first_unchanged_too()
    {
        string path = _folder.File("two.safetensors");
        Checkpoint.Save(path, Parameters(1, Weight("P", 2, 2)),
            new ParameterSet(_backend, [new("S", [2], ParameterInit.Constant)], trainable: false));
        var parameters = Parameters(2, Weight("P", 2, 2));
        var state = new ParameterSet(_backend, [new("S", [3], ParameterInit.Constant)], trainable: false);
        float[] before = Values(parameters);
        Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, parameters, state));
        Assert.Equal(Bits(before), Bits(Values(parameters)));
    }

    // ------------------------------------------------------------------ damaged files

    [Fact]
    public void Truncated_files_are_rejected_with_the_file_name_and_nothing_changes()
    {
        string path = _folder.File("full.safetensors");
        Checkpoint.Save(path, Parameters(1, Lenet()));
        byte[] full = File.ReadAllBytes(path);
        var net = Parameters(2, Lenet());
        float[] before = Values(net);

        foreach (int length in new[] { 0, 5, 8, 40, full.Length - 1, full.Length - 100 })
        {
            string cut = WriteFile($"cut{length}.safetensors", full[..length]);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(cut, net));
            Assert.Contains(cut, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        Assert.Equal(Bits(before), Bits(Values(net)));
    }

    [Fact]
    public void Floating_point_dtypes_are_converted_to_float32()
    {
        // F16 1.0 = 0x3C00, −2.5 = 0xC100; BF16 1.5 = 0x3FC0 (the top half of float32 1.5f = 0x3FC00000); F64 0.1.
        byte[] bytes = HandBuilt("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[6,14]}}",
            [0x00, 0x3C, 0x00, 0xC1, 0xC0, 0x3F, .. BitConverter.GetBytes(0.1)]);
        var file = SafeTensors.Read(bytes, "mixed.safetensors");
        Assert.Equal(new[] { 1f, -2.5f }, file.ReadFloats("h"));
        Assert.Equal(new[] { 1.5f }, file.ReadFloats("b"));
        Assert.Equal(new[] { 0.1f }, file.ReadFloats("d"));
    }

    [Fact]
    public void Integer_tensors_are_refused_naming_the_tensor_and_its_dtype()
    {
        byte[] bytes = HandBuilt("{\"count\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", new byte[8]);
        var file = SafeTensors.Read(bytes, "i.safetensors");
        Assert.Equal("I64", file["count"].DType);
        var e = Assert.Throws<NotSupportedException>(() => file.ReadFloats("count"));
        Assert.Contains("'i.safetensors'", e.Message);
        Assert.Contains("'count'", e.Message);
        Assert.Contains("I64", e.Message);
    }

    [Fact]
    public void Unknown_dtypes_are_rejected_and_the_message_names_the_tensor()
    {
        byte[] bytes = HandBuilt("{\"z\":{\"dtype\":\"C64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        var e = Assert.Throws<NotSupportedException>(() => SafeTensors.Read(bytes, "c.safetensors"));
        Assert.Contains("'c.safetensors'", e.Message);
        Assert.Contains("'z'", e.Message);
        Assert.Contains("'C64'", e.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not well-formed JSON")]
    [InlineData("[1, 2]", "does not start with '{'")]
    [InlineData("{\"w\":[0,8]}", "not an object")]
    [InlineData("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "no \"dtype\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "no \"shape\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "invalid dimension -2")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "no \"data_offsets\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "of shape [3] needs 12 bytes but its data_offsets [0, 8] cover 8")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "end before they begin")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "truncated")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "bytes [0, 4) of the data buffer belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 bytes after the last tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "names 'a' twice")]
    [InlineData("{\"__metadata__\":{\"n\":3},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "metadata 'n' is a JSON Number")]
    public void Malformed_headers_are_rejected_with_a_reason(string json, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(HandBuilt(json, new byte[8]), "bad.safetensors"));
        Assert.Contains("'bad.safetensors'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Implausible_header_lengths_are_rejected()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains("more than the 100000000 allowed", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(bytes, "f")).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(bytes, "f")).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 57);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(bytes, "f")).Message);
    }

    [Fact]
    public void Writer_rejects_inconsistent_tensors()
    {
        Assert.Contains("needs 6 values but has 5", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(new MemoryStream(), [new SafeTensor("w", [2, 3], new float[5])])).Message);
        Assert.Contains("Two tensors are named 'w'", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(new MemoryStream(), [new SafeTensor("w", [1], new float[1]), new SafeTensor("w", [1], new float[1])])).Message);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(new MemoryStream(), [new SafeTensor("__metadata__", [1], new float[1])]));
    }

    // ------------------------------------------------------------------ atomic writes

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary_file()
    {
        string path = _folder.File("keep.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]); // more than the stream buffer, so bytes reach the temporary file
            throw new IOException("disk on fire");
        }));
        Assert.Equal("disk on fire", e.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _folder.Entries());
    }

    [Fact]
    public void An_invalid_checkpoint_is_refused_before_any_file_is_touched()
    {
        string path = _folder.File("keep.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new SafeTensor("w", [4], new float[3])]));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, _folder.Entries());
    }

    [Fact]
    public void A_successful_write_replaces_the_file_and_leaves_only_it()
    {
        string path = _folder.File("model.safetensors");
        var first = Parameters(1, Lenet());
        var second = Parameters(2, Lenet());
        Checkpoint.Save(path, first);
        Checkpoint.Save(path, second);
        Assert.Equal(new[] { path }, _folder.Entries());
        var loaded = Parameters(3, Lenet());
        Checkpoint.Load(path, loaded);
        Assert.Equal(Values(second), Values(loaded));
    }

    [Fact]
    public void Writing_into_a_missing_folder_names_it()
    {
        string path = Path.Combine(_folder.Path, "no", "such", "x.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Save(path, Parameters(1, Lenet())));
        Assert.Contains(Path.Combine(_folder.Path, "no", "such"), e.Message);
    }
}
