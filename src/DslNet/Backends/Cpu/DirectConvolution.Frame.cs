using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The zero-padded frame a stride-1 convolution works in. The input of one channel is copied into
/// a plane of <see cref="Height"/> × <see cref="Width"/> floats (the rows and columns any output reads,
/// padding included), so that output (oy, ox) and tap (a, b) read frame position
/// <c>(oy + a·dH)·Width + ox + b·dW</c>: for a fixed tap, a run of consecutive outputs of one row reads
/// a run of consecutive frame positions, and a SIMD vector of outputs is one unaligned load per tap.
/// Every channel plane is followed by <see cref="Slack"/> zeros, so the lanes of the last vector of a
/// row that lie past the output width read zeros or other frame values, never outside the buffer;
/// their results are masked off when stored.
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
        InputPlaneStride = Height * Width + Slack;
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

    /// <summary>Floats per input channel plane, slack included.</summary>
    public int InputPlaneStride { get; }

    /// <summary>Floats per output-gradient channel plane (input-gradient pass), margins and slack included.</summary>
    public int GradientPlaneStride { get; }

    /// <summary>The frame offset of tap (a, b) relative to its output position (forward and weight gradient).</summary>
    public static int ForwardTapOffset(in Conv2DGeometry g, int width, int a, int b) =>
        a * g.DilationHeight * width + b * g.DilationWidth;

    /// <summary>
    /// Copies one sample's InChannels planes of <paramref name="x"/> into frame planes
    /// (overwritten, zeros where the frame lies in the padding or past the input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackInput(in Conv2DGeometry g, ReadOnlySpan<float> x, Span<float> frame)
    {
        int inPlane = g.InHeight * g.InWidth;
        // Input columns [c0, c1) land in the frame at c + PadLeft; columns the frame cannot hold are
        // never read by any output (a stride-1 window never reaches them).
        int c0 = Math.Max(0, -g.PadLeft), c1 = Math.Min(g.InWidth, Width - g.PadLeft);
        int r0 = Math.Max(0, -g.PadTop), r1 = Math.Min(g.InHeight, Height - g.PadTop);
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            var plane = frame.Slice(ci * InputPlaneStride, InputPlaneStride);
            plane.Clear();
            if (c1 <= c0) continue;
            var source = x.Slice(ci * inPlane, inPlane);
            for (int r = r0; r < r1; r++)
                CopyRow(source.Slice(r * g.InWidth + c0, c1 - c0), plane.Slice((r + g.PadTop) * Width + c0 + g.PadLeft));
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
