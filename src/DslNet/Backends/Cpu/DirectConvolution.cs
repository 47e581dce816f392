using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static DslNet.Backends.Cpu.DirectConvolutionKernels;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Stride-1 convolution computed directly from a zero-padded copy of the input (see
/// <see cref="ConvFrame"/>), without a column matrix: for the small channel counts of LeNet-style
/// networks, im2col + GEMM spends more time building and packing columns than multiplying, and its
/// matrices (6 or 16 rows) are too thin for a GEMM register tile. Here a tap of a run of 16 outputs
/// is one unaligned vector load, and a register tile covers up to 8 output channels × 48 outputs.
/// Samples are processed in chunks whose frames fit in L2; a register tile's slots may span samples.
/// Requires AVX-512 (<see cref="Supports"/>); other machines keep the im2col path.
/// </summary>
internal static unsafe class DirectConvolution
{
    /// <summary>Floats of frames per chunk of samples (about 256 KiB, a part of L2).</summary>
    private const int ChunkFloats = 64 * 1024;

    /// <summary>True when this path handles <paramref name="g"/> on this machine.</summary>
    public static bool Supports(in Conv2DGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.InChannels > 0 && g.OutChannels > 0 && g.OutHeight > 0 && g.OutWidth > 0
        && !(g.KernelHeight == 1 && g.KernelWidth == 1); // 1×1 is a plain GEMM, kept on the GEMM path

    // Scratch per thread, grown on demand and then reused (no allocation per call). Pinned, so the
    // kernels may hold raw pointers into it.
    [ThreadStatic] private static float[]? t_frames;
    [ThreadStatic] private static float[]? t_weights;
    [ThreadStatic] private static ConvSlot[]? t_slots;
    [ThreadStatic] private static int[]? t_offsets;

    private static T* Scratch<T>(ref T[]? buffer, int length) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateArray<T>(Math.Max(length, 64), pinned: true);
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    private static int ChunkSamples(int floatsPerSample, int batch) =>
        Math.Clamp(ChunkFloats / Math.Max(1, floatsPerSample), 1, Math.Max(1, batch));

    private static int VectorsPerRow(int width) => (width + Lanes - 1) / Lanes;

    // ---- forward ------------------------------------------------------------------------------

    /// <summary>y = W ⋆ x + b (overwritten), optionally followed by ReLU.</summary>
    public static void Forward(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> y, bool relu = false)
    {
        if (batch == 0) return;
        var frame = new ConvFrame(g);
        int taps = g.KernelHeight * g.KernelWidth;
        int sampleFrames = g.InChannels * frame.InputPlaneStride;
        int chunk = ChunkSamples(sampleFrames, batch);
        int slotsPerSample = g.OutHeight * VectorsPerRow(g.OutWidth);
        int outPlane = g.OutHeight * g.OutWidth;

        float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
        float* packed = Scratch(ref t_weights, g.OutChannels * g.InChannels * taps);
        ConvSlot* slots = Scratch(ref t_slots, chunk * slotsPerSample + SlotsPerTile);
        int* offsets = Scratch(ref t_offsets, taps);

        for (int a = 0, t = 0; a < g.KernelHeight; a++)
            for (int b = 0; b < g.KernelWidth; b++, t++)
                offsets[t] = ConvFrame.ForwardTapOffset(g, frame.Width, a, b);
        PackRows(weight, g.OutChannels, g.InChannels, taps, transpose: false, packed);

        fixed (float* yBase = y)
        fixed (float* biasBase = bias)
        {
            for (int n0 = 0; n0 < batch; n0 += chunk)
            {
                int samples = Math.Min(chunk, batch - n0);
                var frameSpan = new Span<float>(frames, samples * sampleFrames);
                for (int i = 0; i < samples; i++)
                    frame.PackInput(g, x.Slice((n0 + i) * g.InputSize, g.InputSize), frameSpan.Slice(i * sampleFrames, sampleFrames));

                int count = 0;
                for (int i = 0; i < samples; i++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox += Lanes)
                            slots[count++] = new ConvSlot
                            {
                                In = i * sampleFrames + oy * frame.Width + ox,
                                Out = (n0 + i) * g.OutputSize + oy * g.OutWidth + ox,
                                Count = Math.Min(Lanes, g.OutWidth - ox),
                            };
                count = PadSlots(slots, count);

                for (int s = 0; s < count; s += SlotsPerTile)
                {
                    for (int co = 0; co < g.OutChannels; co += MaxRows)
                    {
                        int rows = Math.Min(MaxRows, g.OutChannels - co);
                        Correlate(rows, frames, frame.InputPlaneStride, g.InChannels, offsets, taps,
                            packed + co * g.InChannels * taps, slots + s, yBase + co * outPlane, outPlane,
                            bias.IsEmpty ? null : biasBase + co, accumulate: false, relu);
                    }
                }
            }
        }
    }

    // ---- input gradient -------------------------------------------------------------------------

    /// <summary>dx += Wᵀ ⋆ dy: the adjoint of <see cref="Forward"/> without bias.</summary>
    public static void BackwardInput(in Conv2DGeometry g, int batch, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (batch == 0) return;
        var frame = new ConvFrame(g);
        int taps = g.KernelHeight * g.KernelWidth;
        int sampleFrames = g.OutChannels * frame.GradientPlaneStride;
        int chunk = ChunkSamples(sampleFrames, batch);
        // Input positions some output reads: frame row iy + PadTop < Height, column ix + PadLeft < Width.
        int rows = Math.Min(g.InHeight, frame.Height - g.PadTop);
        int columns = Math.Min(g.InWidth, frame.Width - g.PadLeft);
        if (rows <= 0 || columns <= 0) return;
        int slotsPerSample = rows * VectorsPerRow(columns);
        int inPlane = g.InHeight * g.InWidth;

        float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
        float* packed = Scratch(ref t_weights, g.OutChannels * g.InChannels * taps);
        ConvSlot* slots = Scratch(ref t_slots, chunk * slotsPerSample + SlotsPerTile);
        int* offsets = Scratch(ref t_offsets, taps);

        // Input position p reads dY at p − (a·dH, b·dW); in the gradient frame that is a fixed offset.
        for (int a = 0, t = 0; a < g.KernelHeight; a++)
            for (int b = 0; b < g.KernelWidth; b++, t++)
                offsets[t] = frame.ColumnReach + (frame.RowReach - a * g.DilationHeight) * frame.Width - b * g.DilationWidth;
        PackRows(weight, g.InChannels, g.OutChannels, taps, transpose: true, packed);

        fixed (float* dxBase = dx)
        {
            for (int n0 = 0; n0 < batch; n0 += chunk)
            {
                int samples = Math.Min(chunk, batch - n0);
                var frameSpan = new Span<float>(frames, samples * sampleFrames);
                for (int i = 0; i < samples; i++)
                    frame.PackGradient(g, dy.Slice((n0 + i) * g.OutputSize, g.OutputSize), frameSpan.Slice(i * sampleFrames, sampleFrames));

                int count = 0;
                for (int i = 0; i < samples; i++)
                    for (int iy = 0; iy < rows; iy++)
                        for (int ix = 0; ix < columns; ix += Lanes)
                            slots[count++] = new ConvSlot
                            {
                                In = i * sampleFrames + (iy + g.PadTop) * frame.Width + ix + g.PadLeft,
                                Out = (n0 + i) * g.InputSize + iy * g.InWidth + ix,
                                Count = Math.Min(Lanes, columns - ix),
                            };
                count = PadSlots(slots, count);

                for (int s = 0; s < count; s += SlotsPerTile)
                {
                    for (int ci = 0; ci < g.InChannels; ci += MaxRows)
                    {
                        int tileRows = Math.Min(MaxRows, g.InChannels - ci);
                        Correlate(tileRows, frames, frame.GradientPlaneStride, g.OutChannels, offsets, taps,
                            packed + ci * g.OutChannels * taps, slots + s, dxBase + ci * inPlane, inPlane,
                            null, accumulate: true, relu: false);
                    }
                }
            }
        }
    }

    // ---- weight gradient ------------------------------------------------------------------------

    /// <summary>dW[co, ci, a, b] += Σ_n Σ_(oy,ox) dy[n, co, oy, ox] · x[n, ci, oy + a·dH − padTop, ox + b·dW − padLeft].</summary>
    public static void BackwardWeight(in Conv2DGeometry g, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dWeight)
    {
        if (batch == 0) return;
        var frame = new ConvFrame(g);
        int taps = g.KernelHeight * g.KernelWidth;
        int k = g.InChannels * taps;
        int sampleFrames = g.InChannels * frame.InputPlaneStride;
        int chunk = ChunkSamples(sampleFrames, batch);
        int slotsPerSample = g.OutHeight * VectorsPerRow(g.OutWidth);
        int outPlane = g.OutHeight * g.OutWidth;

        float* frames = Scratch(ref t_frames, chunk * sampleFrames + ConvFrame.Slack);
        ConvSlot* slots = Scratch(ref t_slots, chunk * slotsPerSample);
        int* offsets = Scratch(ref t_offsets, k);
        // Column k = (ci, a, b) of the weight matrix reads the frame at ci·planeStride + tap offset.
        for (int ci = 0, col = 0; ci < g.InChannels; ci++)
            for (int a = 0; a < g.KernelHeight; a++)
                for (int b = 0; b < g.KernelWidth; b++, col++)
                    offsets[col] = ci * frame.InputPlaneStride + ConvFrame.ForwardTapOffset(g, frame.Width, a, b);

        int* rowOffsets = stackalloc int[GradientRows];
        int* columnOffsets = stackalloc int[GradientColumns];
        float* sums = stackalloc float[GradientRows * GradientColumns];

        fixed (float* dyBase = dy)
        fixed (float* dw = dWeight)
        {
            for (int n0 = 0; n0 < batch; n0 += chunk)
            {
                int samples = Math.Min(chunk, batch - n0);
                var frameSpan = new Span<float>(frames, samples * sampleFrames);
                for (int i = 0; i < samples; i++)
                    frame.PackInput(g, x.Slice((n0 + i) * g.InputSize, g.InputSize), frameSpan.Slice(i * sampleFrames, sampleFrames));

                int count = 0;
                for (int i = 0; i < samples; i++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox += Lanes)
                            slots[count++] = new ConvSlot
                            {
                                In = i * sampleFrames + oy * frame.Width + ox,
                                Out = (n0 + i) * g.OutputSize + oy * g.OutWidth + ox,
                                Count = Math.Min(Lanes, g.OutWidth - ox),
                            };

                // Edge tiles repeat their last row/column (computed twice, written once).
                for (int co = 0; co < g.OutChannels; co += GradientRows)
                {
                    int tileRows = Math.Min(GradientRows, g.OutChannels - co);
                    for (int r = 0; r < GradientRows; r++) rowOffsets[r] = (co + Math.Min(r, tileRows - 1)) * outPlane;
                    for (int c0 = 0; c0 < k; c0 += GradientColumns)
                    {
                        int tileColumns = Math.Min(GradientColumns, k - c0);
                        for (int c = 0; c < GradientColumns; c++) columnOffsets[c] = offsets[c0 + Math.Min(c, tileColumns - 1)];
                        WeightGradientTile(dyBase, rowOffsets, frames, columnOffsets, slots, count, sums);
                        for (int r = 0; r < tileRows; r++)
                        {
                            float* target = dw + (co + r) * k + c0;
                            for (int c = 0; c < tileColumns; c++) target[c] += sums[r * GradientColumns + c];
                        }
                    }
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>
    /// Packs W as tiles of up to <see cref="MaxRows"/> result rows, each [channel][tap][row], tile i at
    /// offset (first row of the tile)·channels·taps. Result row r / channel c read W[r, c, t] from the
    /// [rows, channels, taps] layout, or W[c, r, t] from [channels, rows, taps] when transposed.
    /// </summary>
    private static void PackRows(ReadOnlySpan<float> w, int rows, int channels, int taps, bool transpose, float* packed)
    {
        for (int r0 = 0; r0 < rows; r0 += MaxRows)
        {
            int tileRows = Math.Min(MaxRows, rows - r0);
            float* tile = packed + r0 * channels * taps;
            for (int c = 0; c < channels; c++)
                for (int t = 0; t < taps; t++)
                    for (int r = 0; r < tileRows; r++)
                        tile[(c * taps + t) * tileRows + r] = transpose
                            ? w[(c * rows + r0 + r) * taps + t]
                            : w[((r0 + r) * channels + c) * taps + t];
        }
    }

    /// <summary>Fills the last register tile with empty slots (Count 0: computed, never stored).</summary>
    private static int PadSlots(ConvSlot* slots, int count)
    {
        while (count % SlotsPerTile != 0) slots[count++] = new ConvSlot { In = 0, Out = 0, Count = 0 };
        return count;
    }
}
