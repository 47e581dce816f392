using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The zero-padded input frame of the sparse backward (DirectConvolution.Sparse.cs), for stride 1,
/// dilation 1 and kernels at most 8 wide. Rows of all input channels are interleaved: frame row
/// (y, ci) starts at (y·InChannels + ci)·<see cref="Width"/> and holds padded-input row y − PadTop of
/// channel ci at column c + … − PadLeft. Then every kernel row (a, ci) of output position (oy, ox) starts
/// at <see cref="PositionOffset"/>(oy, ox) + (a·InChannels + ci)·Width: the InChannels·kH tap rows of
/// a position are equally spaced, so a register tile walks them with one pointer increment, and 8
/// consecutive floats from there are its kernel columns b = 0 … 7. <see cref="Width"/> is OutWidth + 7,
/// so those 8 floats stay inside the row for every output column.
/// <para>
/// The input-gradient pass writes the gradient of the same frame (a zeroed frame of this shape) and
/// adds its interior into dx (<see cref="AddInto"/>).
/// </para>
/// </summary>
internal readonly struct RowFrame
{
    /// <summary>Floats past the frame that a whole-vector row store may spill into.</summary>
    public const int Slack = 16;

    /// <summary>Kernel columns a tap row holds (lanes of an 8-float vector).</summary>
    public const int TapLanes = 8;

    public RowFrame(in Conv2DGeometry g)
    {
        Height = g.OutHeight + g.KernelHeight - 1;
        Width = g.OutWidth + TapLanes - 1;
        Channels = g.InChannels;
        TapRows = g.InChannels * g.KernelHeight;
        Size = Height * Channels * Width;
    }

    /// <summary>Frame rows per channel: OutHeight + kH − 1.</summary>
    public int Height { get; }

    /// <summary>Floats per frame row, and between consecutive tap rows: OutWidth + 7.</summary>
    public int Width { get; }

    public int Channels { get; }

    /// <summary>Tap rows per output position: InChannels·kH, row r = a·InChannels + ci.</summary>
    public int TapRows { get; }

    /// <summary>Floats of one sample's frame (without <see cref="Slack"/>).</summary>
    public int Size { get; }

    /// <summary>True when this layout covers <paramref name="g"/>.</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        g.StrideHeight == 1 && g.StrideWidth == 1 && g.DilationHeight == 1 && g.DilationWidth == 1
        && g.KernelWidth <= TapLanes;

    /// <summary>Where tap row 0 of output position (oy, ox) starts.</summary>
    public int PositionOffset(int oy, int ox) => oy * Channels * Width + ox;

    /// <summary>
    /// Copies one sample's input into its frame (overwritten; zeros in the padding, past the input and
    /// in the columns only the discarded lanes read). Rows are written as whole 16-lane vectors from
    /// masked loads, in order, so a vector spilling past a row's end is overwritten by the next row
    /// (and the last one spills into <see cref="Slack"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Pack(in Conv2DGeometry g, float* x, float* frame)
    {
        int inPlane = g.InHeight * g.InWidth;
        var lanes = Vector512<int>.Indices;
        // Frame column c holds input column c − PadLeft: the in-range columns are [low, high).
        var low = Vector512.Create(g.PadLeft);
        var high = Vector512.Create(g.PadLeft + g.InWidth);
        for (int y = 0; y < Height; y++)
        {
            int iy = y - g.PadTop;
            bool inside = iy >= 0 && iy < g.InHeight;
            for (int ci = 0; ci < Channels; ci++)
            {
                float* row = frame + (y * Channels + ci) * Width;
                if (!inside)
                {
                    for (int c = 0; c < Width; c += 16) Vector512.Store(Vector512<float>.Zero, row + c);
                    continue;
                }
                float* source = x + ci * inPlane + iy * g.InWidth - g.PadLeft;
                for (int c = 0; c < Width; c += 16)
                {
                    var column = lanes + Vector512.Create(c);
                    var mask = (Vector512.GreaterThanOrEqual(column, low) & Vector512.LessThan(column, high)).AsSingle();
                    Vector512.Store(Avx512F.MaskLoad(source + c, mask, Vector512<float>.Zero), row + c);
                }
            }
        }
    }

    /// <summary>
    /// dx += the interior of a gradient frame: frame (y, ci, c) is input (y − PadTop, c − PadLeft) when
    /// that lies in the input. Input rows and columns the frame does not reach (dropped by the output
    /// size's floor) get nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddInto(in Conv2DGeometry g, float* frame, float* dx)
    {
        int inPlane = g.InHeight * g.InWidth;
        int rows = Math.Min(g.InHeight, Height - g.PadTop);
        int columns = Math.Min(g.InWidth, Width - g.PadLeft);
        for (int ci = 0; ci < Channels; ci++)
        {
            for (int iy = 0; iy < rows; iy++)
            {
                float* source = frame + ((iy + g.PadTop) * Channels + ci) * Width + g.PadLeft;
                float* target = dx + ci * inPlane + iy * g.InWidth;
                DirectConvolution.AddRow(target, source, columns);
            }
        }
    }
}
