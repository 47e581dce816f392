using System;
using System.IO;
using System.IO.Compression;

namespace DslNet.Data;

/// <summary>
/// The contents of one IDX file: its dimensions (the first one counts the items) and its payload
/// of unsigned bytes, row-major.
/// </summary>
public sealed class IdxData
{
    internal IdxData(string name, int magic, int[] dimensions, byte[] data)
    {
        Name = name;
        Magic = magic;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file (or stream name) the data came from, for messages.</summary>
    public string Name { get; }

    /// <summary>The magic number, e.g. 0x00000803 for unsigned-byte images.</summary>
    public int Magic { get; }

    /// <summary>The dimensions, e.g. [60000, 28, 28].</summary>
    public int[] Dimensions { get; }

    /// <summary>All elements, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Elements per item (the product of the other dimensions; 1 for labels).</summary>
    public int ItemSize => Count == 0 ? 0 : Data.Length / Count;
}

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST: a big-endian magic number (two zero bytes,
/// the element type, the number of dimensions), one big-endian 32-bit size per dimension, then the
/// elements. Only unsigned bytes (type 0x08) are supported — what every MNIST-style file uses.
/// Files may be plain or gzip-compressed; the gzip signature is recognised from the content, not
/// the file name. Every error names the file and says what is wrong.
/// </summary>
public static class IdxReader
{
    /// <summary>Unsigned bytes, 3 dimensions: [count, rows, columns] images.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Unsigned bytes, 1 dimension: [count] labels.</summary>
    public const int LabelsMagic = 0x00000801;

    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an image file (magic 0x00000803).</summary>
    public static IdxData ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Reads a label file (magic 0x00000801).</summary>
    public static IdxData ReadLabels(string path) => Read(path, LabelsMagic);

    /// <summary>
    /// Reads an image file and a label file and checks that they describe the same number of samples.
    /// </summary>
    public static (IdxData Images, IdxData Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"IDX files '{imagesPath}' and '{labelsPath}' do not match: {images.Count} images but {labels.Count} labels.");
        return (images, labels);
    }

    /// <summary>
    /// Reads an IDX file. When <paramref name="expectedMagic"/> is given, a file with another magic
    /// number (e.g. a label file where images are expected) is rejected.
    /// </summary>
    public static IdxData Read(string path, int? expectedMagic = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path, expectedMagic);
    }

    /// <summary>
    /// Reads IDX data from a stream (plain or gzip); <paramref name="name"/> is used in messages.
    /// The stream must end exactly where the data described by the header ends.
    /// </summary>
    public static IdxData Read(Stream stream, string name, int? expectedMagic = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var buffered = stream is BufferedStream or FileStream or MemoryStream ? stream : new BufferedStream(stream);
            // Both signatures are unambiguous: gzip starts 1F 8B, IDX starts 00 00.
            Span<byte> first = stackalloc byte[2];
            int got = ReadUpTo(buffered, first);
            Stream source;
            if (got == 2 && first[0] == 0x1F && first[1] == 0x8B)
            {
                source = new GZipStream(new PrefixedStream(first.ToArray(), buffered), CompressionMode.Decompress);
            }
            else
            {
                source = new PrefixedStream(first[..got].ToArray(), buffered);
            }
            using (source) return ReadPlain(source, name, expectedMagic);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("IDX file", StringComparison.Ordinal))
        {
            // GZipStream's own errors do not say which file was damaged.
            throw new InvalidDataException($"IDX file '{name}': the gzip data is damaged ({e.Message}).", e);
        }
    }

    private static IdxData ReadPlain(Stream source, string name, int? expectedMagic)
    {
        Span<byte> word = stackalloc byte[4];
        int got = ReadUpTo(source, word);
        if (got < 4)
            throw new InvalidDataException($"IDX file '{name}' is truncated: it ends after {got} bytes, inside the 4-byte magic number.");
        int magic = (word[0] << 24) | (word[1] << 16) | (word[2] << 8) | word[3];
        if (word[0] != 0 || word[1] != 0)
            throw new InvalidDataException(
                $"IDX file '{name}' has the wrong magic number 0x{magic:X8}: an IDX file starts with two zero bytes" +
                (expectedMagic is int e1 ? $" (expected 0x{e1:X8}, {Describe(e1)})." : "."));
        if (word[2] != UnsignedByteType)
            throw new NotSupportedException(
                $"IDX file '{name}' has element type 0x{word[2]:X2} (magic 0x{magic:X8}); only unsigned bytes (0x08) are supported.");
        if (expectedMagic is int expected && magic != expected)
            throw new InvalidDataException(
                $"IDX file '{name}' has the wrong magic number 0x{magic:X8} ({Describe(magic)}); expected 0x{expected:X8} ({Describe(expected)}).");
        int rank = word[3];
        if (rank == 0)
            throw new InvalidDataException($"IDX file '{name}' declares 0 dimensions (magic 0x{magic:X8}).");

        var dims = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            got = ReadUpTo(source, word);
            if (got < 4)
                throw new InvalidDataException(
                    $"IDX file '{name}' is truncated: it ends inside the header, in the size of dimension {d + 1} of {rank}.");
            uint size = (uint)((word[0] << 24) | (word[1] << 16) | (word[2] << 8) | word[3]);
            if (size > int.MaxValue)
                throw new InvalidDataException($"IDX file '{name}': dimension {d + 1} has the implausible size {size}.");
            dims[d] = (int)size;
            total *= size;
            if (total > Array.MaxLength)
                throw new InvalidDataException($"IDX file '{name}': dimensions [{string.Join(", ", dims[..(d + 1)])}] hold more than {Array.MaxLength} elements.");
        }

        var data = new byte[total];
        int read = ReadUpTo(source, data);
        if (read < total)
            throw new InvalidDataException(
                $"IDX file '{name}' is truncated: dimensions [{string.Join(", ", dims)}] need {total} bytes of data but it holds only {read}.");
        long extra = CountRemaining(source);
        if (extra > 0)
            throw new InvalidDataException(
                $"IDX file '{name}' has {extra} bytes after the {total} bytes of data its dimensions [{string.Join(", ", dims)}] describe.");
        return new IdxData(name, magic, dims, data);
    }

    private static string Describe(int magic)
    {
        int rank = magic & 0xFF;
        string kind = magic switch { ImagesMagic => "unsigned-byte images", LabelsMagic => "unsigned-byte labels", _ => "unsigned bytes" };
        return $"{kind}, {rank} dimension{(rank == 1 ? "" : "s")}";
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static long CountRemaining(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long count = 0;
        int n;
        while ((n = stream.Read(scratch)) > 0) count += n;
        return count;
    }

    /// <summary>A read-only stream that yields a few already-read bytes, then the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
