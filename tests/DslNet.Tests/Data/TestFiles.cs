using System;
using System.IO;
using System.IO.Compression;

namespace DslNet.Tests.Data;

/// <summary>A fresh folder under the temp directory, deleted on Dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dslnet-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Hand-built IDX files: big-endian header written out byte by byte.</summary>
public static class Idx
{
    public static byte[] Build(int magic, int[] dims, byte[] data)
    {
        using var stream = new MemoryStream();
        void Word(int v)
        {
            stream.WriteByte((byte)(v >> 24));
            stream.WriteByte((byte)(v >> 16));
            stream.WriteByte((byte)(v >> 8));
            stream.WriteByte((byte)v);
        }
        Word(magic);
        foreach (int d in dims) Word(d);
        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(bytes);
        return output.ToArray();
    }

    public static string Write(string path, byte[] bytes, bool gzip)
    {
        System.IO.File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    /// <summary>n images of rows×cols whose pixel p of image i is (i * 7 + p) mod 256; labels i mod classes.</summary>
    public static (string Images, string Labels) WritePair(TempFolder folder, string stem, int n, int rows, int cols, int classes, bool gzip)
    {
        var pixels = new byte[n * rows * cols];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < rows * cols; p++)
                pixels[i * rows * cols + p] = (byte)((i * 7 + p) % 256);
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)(i % classes);
        string suffix = gzip ? ".gz" : "";
        return (
            Write(folder.File($"{stem}-images-idx3-ubyte{suffix}"), Build(0x803, [n, rows, cols], pixels), gzip),
            Write(folder.File($"{stem}-labels-idx1-ubyte{suffix}"), Build(0x801, [n], labels), gzip));
    }
}
