using System;
using System.Text;
using DslNet.Backends;

namespace DslNet;

/// <summary>
/// A view of a node's values for the current batch: [batch, ...per-sample shape], row-major.
/// It does not own memory: it points into the network's buffers and shows the values of the last
/// Forward (or the gradient buffers, for gradient views). Creating one allocates nothing.
/// </summary>
public readonly struct Tensor
{
    private readonly int[]? _sampleShape;

    public Tensor(BufferView data, int batch, int[] sampleShape)
    {
        int sampleSize = 1;
        foreach (int d in sampleShape) sampleSize *= d;
        if (batch < 0 || (long)batch * sampleSize > data.Length)
            throw new ArgumentException($"A batch of {batch} × {sampleSize} elements does not fit a view of {data.Length}.");
        Data = data.IsEmpty ? data : data.Take(batch * sampleSize);
        Batch = batch;
        _sampleShape = sampleShape;
        SampleSize = sampleSize;
    }

    /// <summary>The underlying device memory (exactly Batch × SampleSize elements).</summary>
    public BufferView Data { get; }

    /// <summary>Number of samples in the last forward pass.</summary>
    public int Batch { get; }

    /// <summary>The shape of one sample, e.g. [6, 28, 28].</summary>
    public ReadOnlySpan<int> SampleShape => _sampleShape;

    /// <summary>Elements per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Batch × SampleSize.</summary>
    public int Length => Batch * SampleSize;

    /// <summary>The values, on host-memory backends (the CPU backend).</summary>
    public Span<float> Span => Data.Span;

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public Span<float> Sample(int index)
    {
        if ((uint)index >= (uint)Batch)
            throw new ArgumentOutOfRangeException(nameof(index), $"Sample {index} is outside the batch of {Batch}.");
        return Span.Slice(index * SampleSize, SampleSize);
    }

    /// <summary>Copies the values to a new array (works on every backend).</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        if (Length > 0) Data.Buffer!.Owner.CopyToHost(Data, result);
        return result;
    }

    /// <summary>"[batch, d1, d2, ...]".</summary>
    public override string ToString()
    {
        var text = new StringBuilder("[").Append(Batch);
        foreach (int d in SampleShape) text.Append(", ").Append(d);
        return text.Append(']').ToString();
    }
}
