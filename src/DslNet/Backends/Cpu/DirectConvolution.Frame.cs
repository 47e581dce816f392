using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The zero-padded frames a stride-1 convolution works in.
/// <para>
/// Forward and weight gradient read the input through <em>shifted planes</em>: for each input channel
/// and each kernel column b, a plane of <see cref="Height"/> rows × OutWidth columns holding
/// padded-input column ox + b·dW at column ox. Rows are exactly OutWidth long, so output position
/// p = oy·OutWidth + ox with tap (a, b) reads shifted plane b at p + a·dH·OutWidth: a run of 16
/// consecutive outputs is one unaligned load per tap even when it crosses output rows, and a vector
/// covers 16 outputs of the plane whatever the width (LeNet's 10-wide rows would fill 10 of 16 lanes
/// if a vector held one row). The price is kW copies of the input, small next to the multiply-adds.
/// </para>
/// <para>
/// The input gradient reads the output gradient through a plain frame of <see cref="Width"/> =
/// OutWidth + (kW − 1)·dW columns, with zero margins (see <see cref="PackGradient"/>).
/// </para>
/// Every plane is followed by <see cref="Slack"/> zeros, so the lanes of a last vector that lie past
/// the real positions read zeros or other frame values, never outside the buffer; their results are
/// masked off when stored.
/// </summary>
internal readonly struct ConvFrame
{
    /// <summary>Floats after every plane that vector loads may touch beyond the last real position.</summary>
    public const int Slack = 32;

    public ConvFrame(in Conv2DGeometry g)
    {
        RowReach = (g.KernelHeight - 1) * g.DilationHeight;
        ColumnReach = (g.KernelWidth - 1) * g.DilationWidth;
        Width = g.OutWidth + ColumnReach;
        Height = g.OutHeight + RowReach;
        ShiftedPlaneStride = Height * g.OutWidth + Slack;
        InputChannelStride = g.KernelWidth * ShiftedPlaneStride;
        // The output-gradient frame (for the input gradient) has RowReach zero rows above and below
        // the OutHeight rows of dY, ColumnReach zeros before the first row, and the same row width,
        // so that every tap of every input position reads either a dY value or a zero.
        GradientPlaneStride = ColumnReach + (g.OutHeight + 2 * RowReach) * Width + Slack;
    }

    /// <summary>(kH − 1)·dH: how many rows below its own a window reaches.</summary>
    public int RowReach { get; }

    /// <summary>(kW − 1)·dW: how many columns right of its own a window reaches.</summary>
    public int ColumnReach { get; }

    /// <summary>Frame row width: OutWidth + (kW − 1)·dW.</summary>
    public int Width { get; }

    /// <summary>Frame rows: OutHeight + (kH − 1)·dH.</summary>
    public int Height { get; }

    /// <summary>Floats per shifted plane (Height × OutWidth), slack included.</summary>
    public int ShiftedPlaneStride { get; }

    /// <summary>Floats per input channel: its kW shifted planes.</summary>
    public int InputChannelStride { get; }

    /// <summary>Floats per output-gradient channel plane (input-gradient pass), margins and slack included.</summary>
    public int GradientPlaneStride { get; }

    /// <summary>Where tap (a, b) of output position p reads, relative to p in the input channel's shifted planes.</summary>
    public int ShiftedTapOffset(in Conv2DGeometry g, int a, int b) =>
        b * ShiftedPlaneStride + a * g.DilationHeight * g.OutWidth;

    /// <summary>
    /// Copies one sample's InChannels channels of <paramref name="x"/> into their shifted planes
    /// (overwritten, zeros where a plane lies in the padding or past the input). A plane row is
    /// written as whole vectors from masked loads (masked-off lanes read nothing, so they may lie
    /// outside the input): one pass, no separate clearing, no per-row call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void PackShifted(in Conv2DGeometry g, ReadOnlySpan<float> x, Span<float> frame)
    {
        if (frame.Length < g.InChannels * InputChannelStride)
            throw new ArgumentException("The frame is shorter than the sample's shifted planes.", nameof(frame));
        int inPlane = g.InHeight * g.InWidth, outWidth = g.OutWidth, planeFloats = Height * outWidth;
        // Plane row r holds input row r − PadTop.
        int r0 = g.PadTop, r1 = Math.Min(Height, g.InHeight + g.PadTop);
        var lanes = Vector512<int>.Indices;
        fixed (float* xBase = x)
        fixed (float* frameBase = frame)
        {
            for (int ci = 0; ci < g.InChannels; ci++)
            {
                float* source = xBase + ci * inPlane;
                for (int b = 0; b < g.KernelWidth; b++)
                {
                    float* plane = frameBase + ci * InputChannelStride + b * ShiftedPlaneStride;
                    // Column ox holds input column ox + shift; the in-range ones are [c0, c1).
                    int shift = b * g.DilationWidth - g.PadLeft;
                    var low = Vector512.Create(Math.Max(0, -shift));
                    var high = Vector512.Create(Math.Min(outWidth, g.InWidth - shift));
                    for (int r = 0; r < Height; r++)
                    {
                        float* row = plane + r * outWidth;
                        if (r < r0 || r >= r1)
                        {
                            for (int c = 0; c < outWidth; c += 16) Vector512.Store(Vector512<float>.Zero, row + c);
                            continue;
                        }
                        float* input = source + (r - g.PadTop) * g.InWidth + shift;
                        for (int c = 0; c < outWidth; c += 16)
                        {
                            var column = lanes + Vector512.Create(c);
                            var inside = (Vector512.GreaterThanOrEqual(column, low) & Vector512.LessThan(column, high)).AsSingle();
                            // Lanes past the row end spill into the next row (rewritten next) or the slack.
                            Vector512.Store(Avx512F.MaskLoad(input + c, inside, Vector512<float>.Zero), row + c);
                        }
                    }
                    // The slack: zeros (the spill of the last row may have reached into it).
                    for (int i = planeFloats; i < ShiftedPlaneStride; i += 16) Vector512.Store(Vector512<float>.Zero, plane + i);
                }
            }
        }
    }

    /// <summary>
    /// Copies one sample's output gradient (OutChannels planes of OutHeight × OutWidth) into gradient
    /// frame planes: row oy at frame row RowReach + oy, after ColumnReach leading zeros; zeros elsewhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackGradient(in Conv2DGeometry g, ReadOnlySpan<float> dy, Span<float> frame)
    {
        int outPlane = g.OutHeight * g.OutWidth;
        for (int co = 0; co < g.OutChannels; co++)
        {
            var plane = frame.Slice(co * GradientPlaneStride, GradientPlaneStride);
            plane.Clear();
            var source = dy.Slice(co * outPlane, outPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
                CopyRow(source.Slice(oy * g.OutWidth, g.OutWidth), plane.Slice(ColumnReach + (RowReach + oy) * Width));
        }
    }

    /// <summary>
    /// Copies a short row (tens of floats) with 16-lane vectors and one masked tail: rows of a frame are
    /// too short for a memmove call to pay off. AVX-512 only, as the direct convolution itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyRow(ReadOnlySpan<float> source, Span<float> destination)
    {
        int n = source.Length;
        if (destination.Length < n) throw new ArgumentException("The destination row is shorter than the source row.", nameof(destination));
        fixed (float* s = source)
        fixed (float* d = destination)
        {
            int i = 0;
            for (; i + 16 <= n; i += 16) Vector512.Store(Vector512.Load(s + i), d + i);
            if (i < n)
            {
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n - i)).AsSingle();
                Avx512F.MaskStore(d + i, mask, Avx512F.MaskLoad(s + i, mask, Vector512<float>.Zero));
            }
        }
    }
}
