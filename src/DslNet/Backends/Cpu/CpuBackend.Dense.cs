using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

// Dense (fully connected) layer as three GEMMs, each split across the backend's threads when large
// enough (Gemm.Multiply with Pool). With R = batch·RowsPerSample rows,
// x [R, In], W [Out, In] (PyTorch's Linear layout), y [R, Out]:
//   forward   y  = f(x·Wᵀ + b)                       (f applied in place while y is in cache)
//   backward  dz = dy ⊙ f'(y);  dx += dz·W,   dW += dzᵀ·x,   db += Σ_rows dz
// (or = instead of += when the caller asks to overwrite: the GEMM with beta 0 never reads C, so the
// gradient needs no zeroing first and a stale or NaN value cannot leak in).
public sealed partial class CpuBackend
{
    public override void DenseForward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView bias,
        ActivationKind activation, float alpha, BufferView y)
    {
        int rows = DenseRows(g, batch);
        FusedActivation.Require(activation, alpha, nameof(DenseForward));
        RequireSameLength(rows * g.InFeatures, x.Length, nameof(x));
        RequireSameLength(g.WeightCount, weight.Length, nameof(weight));
        if (!bias.IsEmpty) RequireSameLength(g.OutFeatures, bias.Length, nameof(bias));
        RequireSameLength(rows * g.OutFeatures, y.Length, nameof(y));
        if (rows == 0) return;

        var yh = Host(y);
        // Batch 1 and other few-row products: bias and activation inside the product, per thread.
        if (Gemm.TryDenseForwardFewRows(rows, g.OutFeatures, g.InFeatures, Host(x), Host(weight), Host(bias), activation, alpha, yh, Pool))
            return;
        float beta = 0f;
        if (!bias.IsEmpty)
        {
            // Start every output row at the bias and let the GEMM accumulate onto it: one pass over y.
            var b = Host(bias);
            for (int r = 0; r < rows; r++) b.CopyTo(yh.Slice(r * g.OutFeatures, g.OutFeatures));
            beta = 1f;
        }
        Gemm.Multiply(false, true, rows, g.OutFeatures, g.InFeatures,
            Host(x), g.InFeatures, Host(weight), g.InFeatures, yh, g.OutFeatures, beta, Pool);
        FusedActivation.Apply(activation, alpha, yh);
    }

    public override void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient, bool overwriteParameterGradients)
    {
        int rows = DenseRows(g, batch);
        FusedActivation.Require(activation, alpha, nameof(DenseBackward));
        RequireSameLength(rows * g.InFeatures, x.Length, nameof(x));
        RequireSameLength(g.WeightCount, weight.Length, nameof(weight));
        RequireSameLength(rows * g.OutFeatures, dy.Length, nameof(dy));
        if (!dx.IsEmpty) RequireSameLength(rows * g.InFeatures, dx.Length, nameof(dx));
        if (!dWeight.IsEmpty) RequireSameLength(g.WeightCount, dWeight.Length, nameof(dWeight));
        if (!dBias.IsEmpty) RequireSameLength(g.OutFeatures, dBias.Length, nameof(dBias));
        if (activation != ActivationKind.Identity) RequireSameLength(rows * g.OutFeatures, y.Length, nameof(y));
        if (rows == 0)
        {
            // A sum over no rows: overwritten parameter gradients become zero (dx has no elements).
            if (overwriteParameterGradients)
            {
                Host(dWeight).Clear();
                Host(dBias).Clear();
            }
            return;
        }
        if (dx.IsEmpty && dWeight.IsEmpty && dBias.IsEmpty) return;

        var dyh = FusedActivation.GradientOfInput(activation, alpha, Host(y), Host(dy));
        // dx [R, In] (+)= dy [R, Out] · W [Out, In]
        if (!dx.IsEmpty)
            Gemm.Multiply(false, false, rows, g.InFeatures, g.OutFeatures,
                dyh, g.OutFeatures, Host(weight), g.InFeatures, Host(dx), g.InFeatures, overwriteInputGradient ? 0f : 1f, Pool);
        // dW [Out, In] (+)= dyᵀ [Out, R] · x [R, In]
        if (!dWeight.IsEmpty)
            Gemm.Multiply(true, false, g.OutFeatures, g.InFeatures, rows,
                dyh, g.OutFeatures, Host(x), g.InFeatures, Host(dWeight), g.InFeatures, overwriteParameterGradients ? 0f : 1f, Pool);
        // db [Out] (+)= Σ_r dy[r, :], rows in order (overwriting starts from row 0 instead of 0 + row 0: the same sum)
        if (!dBias.IsEmpty)
        {
            var db = Host(dBias);
            int first = 0;
            if (overwriteParameterGradients)
            {
                dyh.Slice(0, g.OutFeatures).CopyTo(db);
                first = 1;
            }
            for (int r = first; r < rows; r++) TensorPrimitives.Add(db, dyh.Slice(r * g.OutFeatures, g.OutFeatures), db);
        }
    }

    private static int DenseRows(in DenseGeometry g, int batch)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size cannot be negative.");
        if (g.InFeatures <= 0 || g.OutFeatures <= 0 || g.RowsPerSample <= 0)
            throw new ArgumentException($"Dense geometry needs positive sizes, got {g}.", nameof(g));
        return checked(batch * g.RowsPerSample);
    }
}
