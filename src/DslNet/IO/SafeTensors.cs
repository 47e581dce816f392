using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DslNet.IO;

/// <summary>A float32 tensor to write: its name, shape and row-major values.</summary>
public readonly record struct SafeTensor(string Name, int[] Shape, ReadOnlyMemory<float> Data);

/// <summary>One tensor entry of a safetensors header.</summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, string dtype, int[] shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    /// <summary>The element type as safetensors names it ("F32", "F64", "F16", "BF16", "I64", …).</summary>
    public string DType { get; }

    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    public int ElementSize => SafeTensors.ElementSize(DType);

    /// <summary>Whether the values can be read as float32: F32 as is, F64, F16 and BF16 converted.</summary>
    public bool IsFloatingPoint => SafeTensors.IsFloatingPoint(DType);

    public int[] Shape { get; }

    /// <summary>First byte of the data, relative to the start of the data buffer (after the header).</summary>
    public long Begin { get; }

    /// <summary>One past the last byte of the data, relative to the data buffer.</summary>
    public long End { get; }

    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long ElementCount => SafeTensors.Product(Shape);

    public string ShapeText => SafeTensors.ShapeText(Shape);

    public override string ToString() => $"{Name} {DType} {ShapeText}";
}

/// <summary>A safetensors file read into memory and validated.</summary>
public sealed class SafeTensorsFile
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    internal SafeTensorsFile(string name, byte[] bytes, long dataStart, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Name = name;
        _bytes = bytes;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors) _byName.Add(t.Name, t);
    }

    /// <summary>The path (or name) the file was read from.</summary>
    public string Name { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The "__metadata__" entries (empty when there are none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out SafeTensorInfo info) => _byName.TryGetValue(name, out info!);

    public SafeTensorInfo this[string name] =>
        _byName.TryGetValue(name, out var info) ? info
            : throw new KeyNotFoundException($"Safetensors file '{Name}' has no tensor '{name}'.");

    /// <summary>
    /// Copies the values of tensor <paramref name="name"/> into <paramref name="destination"/> (exactly its
    /// length) as float32: F32 as stored, F64/F16/BF16 converted (rounded to nearest). Integer and
    /// boolean tensors throw <see cref="NotSupportedException"/> naming the tensor and its dtype.
    /// </summary>
    public void CopyTo(string name, Span<float> destination)
    {
        var info = this[name];
        if (destination.Length != info.ElementCount)
            throw new ArgumentException(
                $"destination has {destination.Length} elements where tensor '{name}' {info.ShapeText} has {info.ElementCount}.", nameof(destination));
        if (!info.IsFloatingPoint)
            throw new NotSupportedException(
                $"Safetensors file '{Name}': tensor '{name}' has dtype {info.DType}; DslNet reads floating-point tensors only " +
                "(F32, or F64/F16/BF16 converted to float32). Convert it before saving, e.g. tensor.float() in PyTorch.");
        var source = _bytes.AsSpan((int)(_dataStart + info.Begin), (int)(info.End - info.Begin));
        switch (info.DType)
        {
            case "F32" when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case "F32":
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * 4, 4));
                break;
            case "F64":
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source.Slice(i * 8, 8));
                break;
            case "F16":
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(i * 2, 2));
                break;
            case "BF16": // the upper half of a float32
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(i * 2, 2)) << 16);
                break;
        }
    }

    /// <summary>The values of tensor <paramref name="name"/> in a new array.</summary>
    public float[] ReadFloats(string name)
    {
        var result = new float[this[name].ElementCount];
        CopyTo(name, result);
        return result;
    }
}

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): writes
/// float32 tensors; reads every dtype of the format and converts the floating-point ones (F64, F16,
/// BF16) to float32 on request. The layout: an 8-byte little-endian header length N; N bytes of JSON header
/// <c>{"__metadata__":{...},"name":{"dtype":"F32","shape":[...],"data_offsets":[begin,end]},...}</c>,
/// padded with spaces to a multiple of 8; then the data buffer, the tensors' little-endian values back
/// to back, offsets relative to the start of that buffer. Files written here keep the tensors in the
/// order given, which is also their order in the header.
/// </summary>
public static class SafeTensors
{
    /// <summary>The dtypes of the safetensors format and their sizes in bytes.</summary>
    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1, ["BOOL"] = 1,
    };

    internal static int ElementSize(string dtype) => ElementSizes[dtype];

    internal static bool IsFloatingPoint(string dtype) => dtype is "F32" or "F64" or "F16" or "BF16";

    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>):
    /// an existing file is replaced only once the new one is complete and flushed.
    /// </summary>
    public static void Write(string path, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = BuildHeader(tensors, metadata); // validates before a file is created
        AtomicFile.Write(path, stream => WriteBody(stream, header, tensors));
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteBody(stream, BuildHeader(tensors, metadata), tensors);
    }

    /// <summary>The 8-byte length and the padded JSON header for <paramref name="tensors"/>.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var json = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names readable ('+' and non-ASCII letters are not \u-escaped); the
        // output is still valid JSON, and nothing here is embedded in HTML.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata[{key}]");
                    writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (string.IsNullOrEmpty(tensor.Name)) throw new ArgumentException("A tensor has no name.", nameof(tensors));
                if (tensor.Name == MetadataKey) throw new ArgumentException($"A tensor cannot be named '{MetadataKey}'.", nameof(tensors));
                if (!names.Add(tensor.Name)) throw new ArgumentException($"Two tensors are named '{tensor.Name}'.", nameof(tensors));
                ArgumentNullException.ThrowIfNull(tensor.Shape, $"shape of '{tensor.Name}'");
                foreach (int d in tensor.Shape)
                    if (d < 0) throw new ArgumentException($"Tensor '{tensor.Name}' has a negative dimension in its shape {ShapeText(tensor.Shape)}.", nameof(tensors));
                long count = Product(tensor.Shape);
                if (tensor.Data.Length != count)
                    throw new ArgumentException(
                        $"Tensor '{tensor.Name}' of shape {ShapeText(tensor.Shape)} needs {count} values but has {tensor.Data.Length}.", nameof(tensors));

                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + count * sizeof(float));
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += count * sizeof(float);
            }
            writer.WriteEndObject();
        }

        // Pad with spaces so the data buffer starts 8-byte aligned (the reference implementation does the same).
        int padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.WrittenSpan.CopyTo(header.AsSpan(8));
        header.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteBody(Stream stream, byte[] header, IReadOnlyList<SafeTensor> tensors)
    {
        stream.Write(header);
        Span<byte> word = stackalloc byte[4]; // big-endian hosts only: one little-endian float at a time
        foreach (var tensor in tensors)
        {
            var values = tensor.Data.Span;
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(values));
            }
            else
            {
                foreach (float v in values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(word, v);
                    stream.Write(word);
                }
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads and validates a safetensors file; see <see cref="Read(byte[], string)"/>.</summary>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Validates a whole safetensors file held in <paramref name="bytes"/> (<paramref name="name"/> is
    /// used in messages): a sane header length, a well-formed JSON header, known dtypes
    /// (<see cref="NotSupportedException"/> otherwise), offsets inside the file that match the shapes,
    /// and tensors that cover the data buffer exactly, without overlaps or gaps. Other problems throw
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    public static SafeTensorsFile Read(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        string file = $"Safetensors file '{name}'";
        if (bytes.Length < 8)
            throw new InvalidDataException($"{file} is truncated: {bytes.Length} bytes, fewer than the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{file} declares a header of {headerLength} bytes, more than the {MaxHeaderLength} allowed: it is not a safetensors file or is damaged.");
        if (headerLength < 2)
            throw new InvalidDataException($"{file} declares a header of {headerLength} bytes, too short for a JSON object.");
        if ((long)headerLength > bytes.Length - 8)
            throw new InvalidDataException($"{file} is truncated: its header length is {headerLength} bytes but only {bytes.Length - 8} bytes follow.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        if (bytes[8] != (byte)'{')
            throw new InvalidDataException($"{file}: the header does not start with '{{'.");

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: the header is not well-formed JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{file}: the header is a JSON {document.RootElement.ValueKind}, not an object.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new InvalidDataException($"{file}: the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                    ReadMetadata(file, property.Value, metadata);
                else
                    tensors.Add(ReadTensor(file, property.Name, property.Value, dataLength));
            }
        }
        CheckLayout(file, tensors, dataLength);
        return new SafeTensorsFile(name, bytes, dataStart, tensors, metadata);
    }

    private static void ReadMetadata(string file, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{file}: '{MetadataKey}' is a JSON {element.ValueKind}, not an object of strings.");
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{file}: metadata '{entry.Name}' is a JSON {entry.Value.ValueKind}, not a string.");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new InvalidDataException($"{file}: metadata names '{entry.Name}' twice.");
        }
    }

    private static SafeTensorInfo ReadTensor(string file, string name, JsonElement element, long dataLength)
    {
        string tensor = $"{file}: tensor '{name}'";
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{tensor} is described by a JSON {element.ValueKind}, not an object.");

        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{tensor} has no \"dtype\" string.");
        string dtype = dtypeElement.GetString()!;

        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{tensor} has no \"shape\" array.");
        var shape = new int[shapeElement.GetArrayLength()];
        int d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out int size) || size < 0)
                throw new InvalidDataException($"{tensor} has the invalid dimension {dim.GetRawText()} in its shape {shapeElement.GetRawText()}.");
            shape[d++] = size;
        }

        if (!element.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw new InvalidDataException($"{tensor} has no \"data_offsets\" array of two numbers.");
        var offsets = new long[2];
        int o = 0;
        foreach (var value in offsetsElement.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long offset) || offset < 0)
                throw new InvalidDataException($"{tensor} has the invalid data_offsets {offsetsElement.GetRawText()}.");
            offsets[o++] = offset;
        }

        if (!ElementSizes.TryGetValue(dtype, out int elementSize))
            throw new NotSupportedException(
                $"{tensor} has dtype '{dtype}', which is not a safetensors dtype this reader knows ({string.Join(", ", ElementSizes.Keys)}).");

        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw new InvalidDataException($"{tensor} has data_offsets [{begin}, {end}] that end before they begin.");
        if (end > dataLength)
            throw new InvalidDataException(
                $"{tensor} has data_offsets [{begin}, {end}] but the data buffer holds only {dataLength} bytes: the file is truncated.");
        long count;
        try { count = checked(Product(shape) * elementSize); }
        catch (OverflowException) { throw new InvalidDataException($"{tensor} has the implausible shape {ShapeText(shape)}."); }
        if (end - begin != count)
            throw new InvalidDataException(
                $"{tensor} of shape {ShapeText(shape)} needs {count} bytes but its data_offsets [{begin}, {end}] cover {end - begin}.");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    /// <summary>The tensors must tile the data buffer: no overlap, no gap, nothing after the last one.</summary>
    private static void CheckLayout(string file, List<SafeTensorInfo> tensors, long dataLength)
    {
        var byOffset = tensors.ToArray();
        Array.Sort(byOffset, (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in byOffset)
        {
            if (t.Begin < position)
                throw new InvalidDataException(
                    $"{file}: tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{t.Name}' [{t.Begin}, {t.End}] overlap.");
            if (t.Begin > position)
                throw new InvalidDataException($"{file}: bytes [{position}, {t.Begin}) of the data buffer belong to no tensor.");
            position = t.End;
            previous = t;
        }
        if (position != dataLength)
            throw new InvalidDataException(
                $"{file} has {dataLength - position} bytes after the last tensor's data (the header describes {position} of {dataLength}).");
    }

    internal static long Product(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n = checked(n * d);
        return n;
    }

    internal static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
