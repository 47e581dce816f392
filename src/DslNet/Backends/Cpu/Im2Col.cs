using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The column ("im2col") form of one sample of a 2-D cross-correlation, which turns the convolution
/// into one matrix product. The column matrix has InChannels·KernelHeight·KernelWidth rows and
/// OutHeight·OutWidth columns:
/// <code>
/// col[(ci·kH + a)·kW + b, oy·OW + ox] = x[ci, oy·sH + a·dH − padTop, ox·sW + b·dW − padLeft]
/// </code>
/// with zero wherever the input position lies outside the input (the padding, on any side).
/// Then y = W·col with W viewed as an [OutChannels, InChannels·kH·kW] matrix, and the input gradient
/// is the reverse scatter ("col2im") of Wᵀ·dY.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="columns"/> (overwritten) from one sample <paramref name="x"/>.</summary>
    public static void Expand(in Conv2DGeometry g, ReadOnlySpan<float> x, Span<float> columns)
    {
        int outWidth = g.OutWidth;
        int outPlane = g.OutHeight * outWidth;
        int inPlane = g.InHeight * g.InWidth;
        int strideW = g.StrideWidth;
        int row = 0;
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            var plane = x.Slice(ci * inPlane, inPlane);
            for (int a = 0; a < g.KernelHeight; a++)
            {
                int offsetH = a * g.DilationHeight - g.PadTop;
                for (int b = 0; b < g.KernelWidth; b++, row++)
                {
                    int offsetW = b * g.DilationWidth - g.PadLeft;
                    // [lo, hi): the output columns whose tap b lands inside the input row; the same for
                    // every output row, so the inner loop needs no bounds tests.
                    ValidRange(offsetW, strideW, g.InWidth, outWidth, out int lo, out int hi);
                    var target = columns.Slice(row * outPlane, outPlane);
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        var dst = target.Slice(oy * outWidth, outWidth);
                        int iy = oy * g.StrideHeight + offsetH;
                        if ((uint)iy >= (uint)g.InHeight || lo == hi)
                        {
                            dst.Clear();
                            continue;
                        }
                        dst.Slice(0, lo).Clear();
                        dst.Slice(hi).Clear();
                        var src = plane.Slice(iy * g.InWidth, g.InWidth);
                        if (strideW == 1)
                        {
                            src.Slice(lo + offsetW, hi - lo).CopyTo(dst.Slice(lo));
                        }
                        else
                        {
                            for (int ox = lo, ix = lo * strideW + offsetW; ox < hi; ox++, ix += strideW)
                                dst[ox] = src[ix];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Expand"/>: dx[ci, iy, ix] += every column entry that was read from
    /// (ci, iy, ix). Entries that correspond to padding are dropped.
    /// </summary>
    public static void Accumulate(in Conv2DGeometry g, ReadOnlySpan<float> columns, Span<float> dx)
    {
        int outWidth = g.OutWidth;
        int outPlane = g.OutHeight * outWidth;
        int inPlane = g.InHeight * g.InWidth;
        int strideW = g.StrideWidth;
        int row = 0;
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            var plane = dx.Slice(ci * inPlane, inPlane);
            for (int a = 0; a < g.KernelHeight; a++)
            {
                int offsetH = a * g.DilationHeight - g.PadTop;
                for (int b = 0; b < g.KernelWidth; b++, row++)
                {
                    int offsetW = b * g.DilationWidth - g.PadLeft;
                    ValidRange(offsetW, strideW, g.InWidth, outWidth, out int lo, out int hi);
                    if (lo == hi) continue;
                    var source = columns.Slice(row * outPlane, outPlane);
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        int iy = oy * g.StrideHeight + offsetH;
                        if ((uint)iy >= (uint)g.InHeight) continue;
                        var src = source.Slice(oy * outWidth + lo, hi - lo);
                        var dst = plane.Slice(iy * g.InWidth, g.InWidth);
                        if (strideW == 1)
                        {
                            var d = dst.Slice(lo + offsetW, hi - lo);
                            TensorPrimitives.Add(d, src, d);
                        }
                        else
                        {
                            for (int i = 0, ix = lo * strideW + offsetW; i < src.Length; i++, ix += strideW)
                                dst[ix] += src[i];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The output positions o in [0, outSize) with 0 ≤ o·stride + offset &lt; inSize, as [lo, hi).
    /// </summary>
    internal static void ValidRange(int offset, int stride, int inSize, int outSize, out int lo, out int hi)
    {
        lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;            // ⌈−offset / stride⌉
        hi = inSize - offset <= 0 ? 0 : (inSize - offset + stride - 1) / stride; // ⌈(inSize − offset) / stride⌉
        lo = Math.Min(lo, outSize);
        hi = Math.Clamp(hi, lo, outSize);
    }
}
