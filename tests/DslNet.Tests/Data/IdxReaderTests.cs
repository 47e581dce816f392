using System;
using System.IO;
using DslNet.Data;
using Xunit;

namespace DslNet.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly byte[] Pixels = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_plain_and_gzip(bool gzip)
    {
        string path = Idx.Write(_folder.File("img" + (gzip ? ".gz" : "")), Idx.Build(0x803, [2, 3, 2], Pixels), gzip);
        var data = IdxReader.ReadImages(path);
        Assert.Equal(new[] { 2, 3, 2 }, data.Dimensions);
        Assert.Equal(0x803, data.Magic);
        Assert.Equal(2, data.Count);
        Assert.Equal(6, data.ItemSize);
        Assert.Equal(Pixels, data.Data);
        Assert.Equal(path, data.Name);
    }

    [Fact]
    public void Gzip_is_recognised_by_content_not_by_name()
    {
        string path = Idx.Write(_folder.File("labels.idx"), Idx.Build(0x801, [3], [7, 8, 9]), gzip: true);
        Assert.Equal(new byte[] { 7, 8, 9 }, IdxReader.ReadLabels(path).Data);
    }

    [Fact]
    public void Reads_from_a_non_seekable_stream()
    {
        var bytes = Idx.Gzip(Idx.Build(0x801, [4], [1, 2, 3, 4]));
        using var stream = new NonSeekable(bytes);
        var data = IdxReader.Read(stream, "memory", IdxReader.LabelsMagic);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, data.Data);
    }

    [Fact]
    public void Reads_a_pair_and_rejects_a_count_mismatch()
    {
        string images = Idx.Write(_folder.File("i"), Idx.Build(0x803, [2, 3, 2], Pixels), false);
        string labels = Idx.Write(_folder.File("l"), Idx.Build(0x801, [3], [0, 1, 2]), false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadPair(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("2 images but 3 labels", e.Message);

        string good = Idx.Write(_folder.File("l2"), Idx.Build(0x801, [2], [0, 1]), false);
        var (img, lab) = IdxReader.ReadPair(images, good);
        Assert.Equal(2, img.Count);
        Assert.Equal(2, lab.Count);
    }

    [Fact]
    public void A_label_file_where_images_are_expected_names_both_magic_numbers()
    {
        string path = Idx.Write(_folder.File("labels.gz"), Idx.Build(0x801, [3], [0, 1, 2]), true);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("wrong magic", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_IDX_has_the_wrong_magic()
    {
        string path = _folder.File("notes.txt");
        File.WriteAllText(path, "hello, world");
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic number 0x68656C6C", e.Message);
    }

    [Fact]
    public void Element_types_other_than_unsigned_bytes_are_not_supported()
    {
        string path = Idx.Write(_folder.File("floats"), Idx.Build(0x00000D01, [1], [0, 0, 0, 0]), false);
        var e = Assert.Throws<NotSupportedException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0D", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_files_say_where_they_end(bool gzip)
    {
        byte[] full = Idx.Build(0x803, [2, 3, 2], Pixels);

        string inMagic = Idx.Write(_folder.File("a"), full[..3], gzip);
        var e1 = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(inMagic));
        Assert.Contains(inMagic, e1.Message);
        Assert.Contains("truncated", e1.Message);
        Assert.Contains("magic", e1.Message);

        string inHeader = Idx.Write(_folder.File("b"), full[..10], gzip);
        var e2 = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(inHeader));
        Assert.Contains("truncated", e2.Message);
        Assert.Contains("dimension 2 of 3", e2.Message);

        string inData = Idx.Write(_folder.File("c"), full[..^5], gzip);
        var e3 = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(inData));
        Assert.Contains(inData, e3.Message);
        Assert.Contains("truncated", e3.Message);
        Assert.Contains("need 12 bytes of data but it holds only 7", e3.Message);
    }

    [Fact]
    public void A_cut_gzip_stream_is_reported_with_the_file_name()
    {
        // A larger payload so the cut lands inside the compressed data, not in the gzip trailer.
        var random = new Random(3);
        var pixels = new byte[4 * 16 * 16];
        random.NextBytes(pixels);
        byte[] gz = Idx.Gzip(Idx.Build(0x803, [4, 16, 16], pixels));
        string path = _folder.File("cut.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        byte[] full = Idx.Build(0x801, [3], [0, 1, 2]);
        string path = Idx.Write(_folder.File("long"), [.. full, 9, 9], false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("2 bytes after", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = _folder.File("nowhere.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Zero_samples_are_allowed()
    {
        string path = Idx.Write(_folder.File("empty"), Idx.Build(0x803, [0, 28, 28], []), true);
        var data = IdxReader.ReadImages(path);
        Assert.Equal(0, data.Count);
        Assert.Empty(data.Data);
    }

    private sealed class NonSeekable(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        // Hands out at most 3 bytes per call, to exercise the reader's read loops.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 3));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
