using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// Pooling, one (sample, channel) plane at a time; the common 2×2 stride-2 max pooling runs the AVX-512
// path of MaxPool2x2.cs (same winner rule, same activation derivative, planes split over the worker
// pool). A window is clipped to the input first, so padded
// positions are simply never visited: for max pooling they behave as −∞, for average pooling as 0
// (the divisor stays KernelHeight·KernelWidth, PyTorch's count_include_pad = true).
public sealed unsafe partial class CpuBackend
{
    public override void MaxPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y)
    {
        ValidatePool(g, batch);
        RequireSameLength(batch * g.InputSize, x.Length, nameof(x));
        RequireSameLength(batch * g.OutputSize, y.Length, nameof(y));
        var xs = Host(x);
        var ys = Host(y);
        if (MaxPool2x2.Supports(g))
        {
            fixed (float* xp = xs)
            fixed (float* yp = ys)
            {
                var job = new MaxPool2x2.Job { G = g, X = xp, Y = yp };
                Pool.For(batch * g.Channels, MaxPool2x2.WorkPerPlane(g), ref job);
            }
            return;
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            var xp = xs.Slice(plane * inPlane, inPlane);
            var yp = ys.Slice(plane * outPlane, outPlane);
            for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
            {
                PoolWindow(oy, g.StrideHeight, g.PadTop, g.KernelHeight, g.InHeight, out int y0, out int y1);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    PoolWindow(ox, g.StrideWidth, g.PadLeft, g.KernelWidth, g.InWidth, out int x0, out int x1);
                    int at = FirstMax(xp, g.InWidth, y0, y1, x0, x1);
                    // A window lying wholly in the padding (which shape checking rules out) has max −∞.
                    yp[o] = at >= 0 ? xp[at] : float.NegativeInfinity;
                }
            }
        }
    }

    public override void MaxPool2DBackward(in Pool2DGeometry g, int batch, BufferView x, ActivationKind activation, float alpha,
        BufferView dy, BufferView dx, bool overwrite)
    {
        ValidatePool(g, batch);
        FusedActivation.Require(activation, alpha, nameof(MaxPool2DBackward));
        RequireSameLength(batch * g.OutputSize, dy.Length, nameof(dy));
        if (dx.IsEmpty) return;
        RequireSameLength(batch * g.InputSize, x.Length, nameof(x));
        RequireSameLength(batch * g.InputSize, dx.Length, nameof(dx));
        var xs = Host(x);
        var dys = Host(dy);
        var dxs = Host(dx);
        if (MaxPool2x2.Supports(g))
        {
            fixed (float* xp = xs)
            fixed (float* dyp = dys)
            fixed (float* dxp = dxs)
                MaxPool2x2.Backward(Pool, g, batch * g.Channels, xp, activation, alpha, dyp, dxp, overwrite);
            return;
        }
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            var xp = xs.Slice(plane * inPlane, inPlane);
            var dyp = dys.Slice(plane * outPlane, outPlane);
            var dxp = dxs.Slice(plane * inPlane, inPlane);
            if (overwrite) dxp.Clear();
            for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
            {
                PoolWindow(oy, g.StrideHeight, g.PadTop, g.KernelHeight, g.InHeight, out int y0, out int y1);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    PoolWindow(ox, g.StrideWidth, g.PadLeft, g.KernelWidth, g.InWidth, out int x0, out int x1);
                    // The same search as the forward pass, so the gradient goes where the value came from.
                    int at = FirstMax(xp, g.InWidth, y0, y1, x0, x1);
                    if (at >= 0) dxp[at] += FusedActivation.ElementGradient(activation, alpha, xp[at], dyp[o]);
                }
            }
        }
    }

    public override void AvgPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y)
    {
        ValidatePool(g, batch);
        RequireSameLength(batch * g.InputSize, x.Length, nameof(x));
        RequireSameLength(batch * g.OutputSize, y.Length, nameof(y));
        var xs = Host(x);
        var ys = Host(y);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        float scale = 1f / (g.KernelHeight * g.KernelWidth);
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            var xp = xs.Slice(plane * inPlane, inPlane);
            var yp = ys.Slice(plane * outPlane, outPlane);
            for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
            {
                PoolWindow(oy, g.StrideHeight, g.PadTop, g.KernelHeight, g.InHeight, out int y0, out int y1);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    PoolWindow(ox, g.StrideWidth, g.PadLeft, g.KernelWidth, g.InWidth, out int x0, out int x1);
                    float sum = 0f;
                    for (int iy = y0; iy < y1; iy++)
                    {
                        var row = xp.Slice(iy * g.InWidth, g.InWidth);
                        for (int ix = x0; ix < x1; ix++) sum += row[ix];
                    }
                    yp[o] = sum * scale;
                }
            }
        }
    }

    public override void AvgPool2DBackward(in Pool2DGeometry g, int batch, BufferView dy, BufferView dx)
    {
        ValidatePool(g, batch);
        RequireSameLength(batch * g.OutputSize, dy.Length, nameof(dy));
        if (dx.IsEmpty) return;
        RequireSameLength(batch * g.InputSize, dx.Length, nameof(dx));
        var dys = Host(dy);
        var dxs = Host(dx);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        float scale = 1f / (g.KernelHeight * g.KernelWidth);
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            var dyp = dys.Slice(plane * outPlane, outPlane);
            var dxp = dxs.Slice(plane * inPlane, inPlane);
            for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
            {
                PoolWindow(oy, g.StrideHeight, g.PadTop, g.KernelHeight, g.InHeight, out int y0, out int y1);
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    PoolWindow(ox, g.StrideWidth, g.PadLeft, g.KernelWidth, g.InWidth, out int x0, out int x1);
                    float share = dyp[o] * scale;
                    for (int iy = y0; iy < y1; iy++)
                    {
                        var row = dxp.Slice(iy * g.InWidth, g.InWidth);
                        for (int ix = x0; ix < x1; ix++) row[ix] += share;
                    }
                }
            }
        }
    }

    public override void GlobalAvgPoolForward(int batch, int channels, int spatial, BufferView x, BufferView y)
    {
        ValidateGlobalPool(batch, channels, spatial);
        RequireSameLength(batch * channels * spatial, x.Length, nameof(x));
        RequireSameLength(batch * channels, y.Length, nameof(y));
        var xs = Host(x);
        var ys = Host(y);
        for (int i = 0; i < ys.Length; i++)
            ys[i] = TensorPrimitives.Sum(xs.Slice(i * spatial, spatial)) / spatial;
    }

    public override void GlobalAvgPoolBackward(int batch, int channels, int spatial, BufferView dy, BufferView dx)
    {
        ValidateGlobalPool(batch, channels, spatial);
        RequireSameLength(batch * channels, dy.Length, nameof(dy));
        if (dx.IsEmpty) return;
        RequireSameLength(batch * channels * spatial, dx.Length, nameof(dx));
        var dys = Host(dy);
        var dxs = Host(dx);
        for (int i = 0; i < dys.Length; i++)
        {
            var plane = dxs.Slice(i * spatial, spatial);
            TensorPrimitives.Add(plane, dys[i] / spatial, plane);
        }
    }

    /// <summary>The window of output position o along one axis, clipped to the input: [lo, hi).</summary>
    private static void PoolWindow(int o, int stride, int pad, int kernel, int size, out int lo, out int hi)
    {
        int start = o * stride - pad;
        lo = Math.Max(start, 0);
        hi = Math.Max(Math.Min(start + kernel, size), lo);
    }

    /// <summary>
    /// The plane index of the first maximum in row-major window order (a later equal value does not
    /// replace it), or −1 for an empty window. A NaN wins, so a diverging network shows NaN, as in PyTorch.
    /// </summary>
    private static int FirstMax(ReadOnlySpan<float> plane, int width, int y0, int y1, int x0, int x1)
    {
        int best = -1;
        float max = float.NegativeInfinity;
        for (int iy = y0; iy < y1; iy++)
        {
            int rowStart = iy * width;
            for (int i = rowStart + x0; i < rowStart + x1; i++)
            {
                float v = plane[i];
                if (v > max || best < 0 || float.IsNaN(v))
                {
                    if (float.IsNaN(v)) return i;
                    max = v;
                    best = i;
                }
            }
        }
        return best;
    }

    private static void ValidatePool(in Pool2DGeometry g, int batch)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        if (g.Channels < 0 || g.InHeight < 0 || g.InWidth < 0 || g.OutHeight < 0 || g.OutWidth < 0
            || g.KernelHeight < 1 || g.KernelWidth < 1 || g.StrideHeight < 1 || g.StrideWidth < 1
            || g.PadTop < 0 || g.PadLeft < 0)
            throw new ArgumentException($"Invalid pooling geometry {g}: sizes must be ≥ 0, kernel and stride ≥ 1, padding ≥ 0.", nameof(g));
    }

    private static void ValidateGlobalPool(int batch, int channels, int spatial)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        if (channels < 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "The channel count cannot be negative.");
        if (spatial < 1) throw new ArgumentOutOfRangeException(nameof(spatial), spatial, "Global average pooling needs at least one spatial position.");
    }
}
