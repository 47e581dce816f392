using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Single-precision matrix product C = op(A)·op(B) + beta·C, row-major, where op(X) is X or Xᵀ.
/// A is M×K after op, B is K×N after op, C is M×N; lda/ldb/ldc are the row strides of the stored
/// matrices. beta is 0 (overwrite) or 1 (accumulate, as backward kernels need).
/// </summary>
internal static class Gemm
{
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, float beta)
    {
        // SCAFFOLD: simple row-times-panel loops; the blocked micro-kernel replaces this.
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                if (aip == 0f) continue;
                if (!transposeB)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aip, row, row);
                }
                else
                {
                    for (int j = 0; j < n; j++) row[j] += aip * b[j * ldb + p];
                }
            }
        }
    }
}
