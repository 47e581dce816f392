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
/// The input gradient is the adjoint of that: it writes the gradient of every shifted plane, reading
/// the output gradient as planes of OutWidth-long rows with (kH − 1)·dH zero rows above and below
/// (<see cref="PackGradient"/>), and then adds the shifted planes' gradients into dx.
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
        Height = g.OutHeight + RowReach;
        ShiftedPlaneStride = Height * g.OutWidth + Slack;
        InputChannelStride = g.KernelWidth * ShiftedPlaneStride;
        // RowReach zero rows, the OutHeight rows of dY, RowReach zero rows: every tap of every
        // shifted-plane position reads a dY value or a zero.
        GradientPlaneStride = (g.OutHeight + 2 * RowReach) * g.OutWidth + Slack;
    }

    /// <summary>(kH − 1)·dH: how many rows below its own a window reaches.</summary>
    public int RowReach { get; }

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
    /// Writes one sample's output gradient (OutChannels planes of OutHeight × OutWidth) into gradient
    /// frame planes: RowReach zero rows, the plane, RowReach zero rows, zero slack. With a fusable
    /// activation the plane is dy ⊙ f'(y) (<paramref name="y"/> the activated output; unread for Identity).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackGradient(in Conv2DGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ActivationKind activation, float alpha,
        Span<float> frame)
    {
        int outPlane = g.OutHeight * g.OutWidth, margin = RowReach * g.OutWidth;
        for (int co = 0; co < g.OutChannels; co++)
        {
            var plane = frame.Slice(co * GradientPlaneStride, GradientPlaneStride);
            plane[..margin].Clear();
            var target = plane.Slice(margin, outPlane);
            if (activation == ActivationKind.Identity) dy.Slice(co * outPlane, outPlane).CopyTo(target);
            else FusedActivation.Gradient(activation, alpha, y.Slice(co * outPlane, outPlane), dy.Slice(co * outPlane, outPlane), target);
            plane[(margin + outPlane)..].Clear();
        }
    }

    /// <summary>
    /// dx += the input gradient held in one sample's shifted-plane gradients
    /// (<paramref name="planes"/>: InChannels × kW planes of Height × OutWidth, <paramref name="planeStride"/>
    /// apart): position (r, c) of plane (ci, b) is input (r − PadTop, c + b·dW − PadLeft) when that lies
    /// in the input. Rows are added with masked vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddShiftedGradients(in Conv2DGeometry g, float* planes, int planeStride, float* dx)
    {
        int inPlane = g.InHeight * g.InWidth, outWidth = g.OutWidth;
        int r0 = g.PadTop, r1 = Math.Min(Height, g.InHeight + g.PadTop);
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            for (int b = 0; b < g.KernelWidth; b++)
            {
                float* plane = planes + (ci * g.KernelWidth + b) * planeStride;
                int shift = b * g.DilationWidth - g.PadLeft;
                int c0 = Math.Max(0, -shift), c1 = Math.Min(outWidth, g.InWidth - shift);
                for (int r = r0; r < r1; r++)
                {
                    float* source = plane + r * outWidth;
                    float* target = dx + ci * inPlane + (r - g.PadTop) * g.InWidth + shift;
                    if (c1 > c0) DirectConvolution.AddRow(target + c0, source + c0, c1 - c0);
                }
            }
        }
    }
}
