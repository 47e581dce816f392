using System;

namespace DslNet.Backends;

/// <summary>
/// A block of device memory owned by a <see cref="Backend"/>. On the CPU backend it is a managed
/// float array; a GPU backend would hold a device allocation. Kernels never see the concrete type:
/// they receive <see cref="BufferView"/>s, as ILGPU kernels receive ArrayViews.
/// </summary>
public abstract class DeviceBuffer
{
    protected DeviceBuffer(Backend owner, int length)
    {
        Owner = owner;
        Length = length;
    }

    /// <summary>The backend that allocated this buffer; kernels reject buffers of another backend.</summary>
    public Backend Owner { get; }

    /// <summary>Number of float elements.</summary>
    public int Length { get; }

    /// <summary>The whole buffer as a view.</summary>
    public BufferView View => new(this, 0, Length);

    /// <summary>A part of the buffer as a view.</summary>
    public BufferView Slice(int offset, int length) => View.Slice(offset, length);
}

/// <summary>
/// A contiguous range of a <see cref="DeviceBuffer"/>: the unit every kernel reads and writes.
/// An empty view (<see cref="IsEmpty"/>) stands for "not present" (no bias, no input gradient wanted).
/// </summary>
public readonly struct BufferView
{
    public BufferView(DeviceBuffer buffer, int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(length),
                $"View [{offset}, {offset + length}) does not fit a buffer of {buffer.Length} elements.");
        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    public DeviceBuffer? Buffer { get; }
    public int Offset { get; }
    public int Length { get; }
    public bool IsEmpty => Buffer is null || Length == 0;

    /// <summary>The absent view: no bias, no gradient requested.</summary>
    public static BufferView Empty => default;

    public BufferView Slice(int offset, int length)
    {
        if (Buffer is null) throw new InvalidOperationException("Cannot slice an empty view.");
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Slice [{offset}, {offset + length}) does not fit a view of {Length} elements.");
        return new BufferView(Buffer, Offset + offset, length);
    }

    /// <summary>The first <paramref name="length"/> elements.</summary>
    public BufferView Take(int length) => Slice(0, length);

    /// <summary>
    /// Host access to the elements. Only host-memory backends (the CPU backend) support it;
    /// device backends copy through <see cref="Backend.CopyToHost"/> instead.
    /// </summary>
    public Span<float> Span => Buffer switch
    {
        null => Span<float>.Empty,
        Cpu.CpuBuffer cpu => cpu.Elements(Offset, Length),
        _ => throw new NotSupportedException($"{Buffer.GetType().Name} is not host memory; copy it with Backend.CopyToHost."),
    };
}
