using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// 2-D convolution (cross-correlation). 3×3 stride-1 layers with enough channels and samples run
// Winograd F(4×4, 3×3) (WinogradConvolution.cs; the rule and its measurements are on Prefers). Other
// stride-1 kernels larger than 1×1 run the direct AVX-512 path
// (DirectConvolution.cs: no column matrix, samples split over the worker pool). Everything else (strided,
// 1×1, machines without AVX-512) runs im2col + GEMM, one sample at a time so the column scratch stays
// at InChannels·kH·kW × OutHeight·OutWidth floats whatever the batch size. A fused activation is applied
// to each sample's output right after its GEMM (still in cache); its gradient dz = dy ⊙ f'(y) is formed
// once before the backward passes (FusedActivation.cs).
public sealed partial class CpuBackend
{
    // Column scratch, per thread rather than per instance: CpuBackend.Default is shared, and two
    // models running on different threads must not write into each other's columns. Allocated on
    // first use and grown to the largest layer seen, so later calls allocate nothing.
    [ThreadStatic] private static float[]? t_convColumns;

    private static Span<float> ConvColumns(int length)
    {
        var buffer = t_convColumns;
        if (buffer is null || buffer.Length < length) t_convColumns = buffer = new float[length];
        return buffer.AsSpan(0, length);
    }

    public override void Conv2DForward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView bias,
        ActivationKind activation, float alpha, BufferView y)
    {
        ValidateConv(g, batch);
        FusedActivation.Require(activation, alpha, nameof(Conv2DForward));
        RequireSameLength(batch * g.InputSize, x.Length, nameof(x));
        RequireSameLength(g.WeightCount, weight.Length, nameof(weight));
        if (!bias.IsEmpty) RequireSameLength(g.OutChannels, bias.Length, nameof(bias));
        RequireSameLength(batch * g.OutputSize, y.Length, nameof(y));

        var xs = Host(x);
        var ws = Host(weight);
        var bs = Host(bias);
        var ys = Host(y);
        if (WinogradConvolution.Prefers(g, batch))
        {
            WinogradConvolution.Forward(g, batch, xs, ws, bs, ys, activation, alpha, Pool);
            return;
        }
        if (DirectConvolution.Supports(g))
        {
            DirectConvolution.Forward(g, batch, xs, ws, bs, ys, activation, alpha, Pool);
            return;
        }
        int k = g.InChannels * g.KernelHeight * g.KernelWidth;
        int p = g.OutHeight * g.OutWidth;
        bool pointwise = IsPointwise(g);
        var columns = pointwise ? Span<float>.Empty : ConvColumns(k * p);

        for (int n = 0; n < batch; n++)
        {
            var xn = xs.Slice(n * g.InputSize, g.InputSize);
            var yn = ys.Slice(n * g.OutputSize, g.OutputSize);
            // A 1×1, stride-1, unpadded convolution reads x itself as its column matrix.
            ReadOnlySpan<float> cols = xn;
            if (!pointwise)
            {
                Im2Col.Expand(g, xn, columns);
                cols = columns;
            }
            // y[Cout, P] = W[Cout, K] · col[K, P]
            Gemm.Multiply(false, false, g.OutChannels, p, k, ws, k, cols, p, yn, p, 0f);
            if (!bs.IsEmpty)
            {
                for (int co = 0; co < g.OutChannels; co++)
                {
                    var row = yn.Slice(co * p, p);
                    TensorPrimitives.Add(row, bs[co], row);
                }
            }
            FusedActivation.Apply(activation, alpha, yn);
        }
    }

    public override void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient)
    {
        ValidateConv(g, batch);
        FusedActivation.Require(activation, alpha, nameof(Conv2DBackward));
        RequireSameLength(batch * g.OutputSize, dy.Length, nameof(dy));
        if (!dx.IsEmpty) RequireSameLength(batch * g.InputSize, dx.Length, nameof(dx));
        if (!dWeight.IsEmpty) RequireSameLength(g.WeightCount, dWeight.Length, nameof(dWeight));
        if (!dBias.IsEmpty) RequireSameLength(g.OutChannels, dBias.Length, nameof(dBias));
        // x is read only for the weight gradient, the weights only for the input gradient.
        if (!dWeight.IsEmpty) RequireSameLength(batch * g.InputSize, x.Length, nameof(x));
        if (!dx.IsEmpty) RequireSameLength(g.WeightCount, weight.Length, nameof(weight));
        if (activation != ActivationKind.Identity) RequireSameLength(batch * g.OutputSize, y.Length, nameof(y));
        if (dx.IsEmpty && dWeight.IsEmpty && dBias.IsEmpty) return;

        var xs = Host(x);
        var ws = Host(weight);
        var dxs = Host(dx);
        var dws = Host(dWeight);
        var dbs = Host(dBias);
        int k = g.InChannels * g.KernelHeight * g.KernelWidth;
        int p = g.OutHeight * g.OutWidth;
        // Winograd before the direct kernels, whose sparse backward would also take W3's conv2 (about 25 %
        // of its dz is non-zero under the max pool) but measured 137 ms of CPU per call against 66.
        if (WinogradConvolution.Prefers(g, batch))
        {
            // Forms dy ⊙ f'(y) itself while packing its tiles, and the bias gradient with it; writes dx's
            // tiles instead of adding them when asked to overwrite.
            WinogradConvolution.Backward(g, batch, xs, ws, Host(dy), Host(y), activation, alpha, dxs, dws, dbs, Pool, overwriteInputGradient);
            return;
        }
        // The other paths add into dx: overwriting is adding into zeros.
        if (overwriteInputGradient) dxs.Clear();
        if (DirectConvolution.Supports(g))
        {
            // Forms dy ⊙ f'(y) itself; skips its zeros when most are (as under a max pool).
            DirectConvolution.Backward(g, batch, xs, ws, Host(dy), Host(y), activation, alpha, dxs, dws, dbs, Pool);
            return;
        }
        // From here on "dy" is the gradient before the activation (dz).
        var dys = FusedActivation.GradientOfInput(activation, alpha, Host(y), Host(dy));
        bool pointwise = IsPointwise(g);
        // One scratch serves both the columns of x (for dW) and the column gradient (for dx):
        // the weight gradient is finished with the columns before the column gradient overwrites them.
        var columns = pointwise || (dx.IsEmpty && dWeight.IsEmpty) ? Span<float>.Empty : ConvColumns(k * p);

        if (!dbs.IsEmpty) AccumulateBiasGradient(batch, g.OutChannels, p, dys, dbs);
        for (int n = 0; n < batch; n++)
        {
            var dyn = dys.Slice(n * g.OutputSize, g.OutputSize);


            if (!dws.IsEmpty)
            {
                var xn = xs.Slice(n * g.InputSize, g.InputSize);
                ReadOnlySpan<float> cols = xn;
                if (!pointwise)
                {
                    Im2Col.Expand(g, xn, columns);
                    cols = columns;
                }
                // dW[Cout, K] += dY[Cout, P] · col[K, P]ᵀ
                Gemm.Multiply(false, true, g.OutChannels, k, p, dyn, p, cols, p, dws, k, 1f);
            }

            if (!dxs.IsEmpty)
            {
                var dxn = dxs.Slice(n * g.InputSize, g.InputSize);
                if (pointwise)
                {
                    // dx[Cin, P] += W[Cout, Cin]ᵀ · dY[Cout, P], straight into dx.
                    Gemm.Multiply(true, false, k, p, g.OutChannels, ws, k, dyn, p, dxn, p, 1f);
                }
                else
                {
                    // dcol[K, P] = W[Cout, K]ᵀ · dY[Cout, P], then scatter-add into dx.
                    Gemm.Multiply(true, false, k, p, g.OutChannels, ws, k, dyn, p, columns, p, 0f);
                    Im2Col.Accumulate(g, columns, dxn);
                }
            }
        }
    }

    /// <summary>db[co] += Σ over samples and positions of dy[n, co, ·].</summary>
    private static void AccumulateBiasGradient(int batch, int channels, int plane, ReadOnlySpan<float> dy, Span<float> db)
    {
        for (int n = 0; n < batch; n++)
            for (int co = 0; co < channels; co++)
                db[co] += TensorPrimitives.Sum(dy.Slice((n * channels + co) * plane, plane));
    }

    /// <summary>True when the column matrix of a sample is the sample itself.</summary>
    private static bool IsPointwise(in Conv2DGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.PadTop == 0 && g.PadLeft == 0 && g.OutHeight == g.InHeight && g.OutWidth == g.InWidth;

    private static void ValidateConv(in Conv2DGeometry g, int batch)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        if (g.InChannels < 0 || g.InHeight < 0 || g.InWidth < 0 || g.OutChannels < 0 || g.OutHeight < 0 || g.OutWidth < 0
            || g.KernelHeight < 1 || g.KernelWidth < 1 || g.StrideHeight < 1 || g.StrideWidth < 1
            || g.DilationHeight < 1 || g.DilationWidth < 1 || g.PadTop < 0 || g.PadLeft < 0)
            throw new ArgumentException($"Invalid convolution geometry {g}: sizes must be ≥ 0, kernel, stride and dilation ≥ 1, padding ≥ 0.", nameof(g));
    }
}
