using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// Products whose C has fewer rows than one register tile (a Dense layer at batch 1, say), or whose
// transposed B has only a few columns (a logits layer: x·Wᵀ with 10 outputs): packing B
// would cost as much as the whole product, so each row of C is computed straight from the stored B,
// in groups of ColumnGroup columns that the worker pool may split across threads. Such products are
// bound by reading B once, so the kernels keep several independent sums per pass over the row of A.
internal static unsafe partial class Gemm
{
    /// <summary>Columns of C per parallel work item (a whole number of vectors).</summary>
    private const int ColumnGroup = 16;

    [ThreadStatic] private static float[]? s_gatherA;

    private static void MultiplyFewRows(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, WorkerPool? pool)
    {
        // The kernels read rows of op(A) contiguously: gather them when A is stored transposed.
        float* rows = a;
        int ldr = lda;
        if (transposeA)
        {
            rows = PackBuffer(ref s_gatherA, m * k);
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) rows[i * k + p] = a[(long)p * lda + i];
            ldr = k;
        }
        var job = new FewRowsProduct
        {
            TransposeB = transposeB, Accumulate = accumulate, M = m, N = n, K = k,
            Rows = rows, Ldr = ldr, B = b, Ldb = ldb, C = c, Ldc = ldc,
        };
        int groups = (n + ColumnGroup - 1) / ColumnGroup;
        if (pool is null) job.Execute(0, groups, 0);
        else pool.For(groups, 2L * m * k * ColumnGroup, ref job);
    }

    private struct FewRowsProduct : IParallelJob
    {
        public bool TransposeB, Accumulate;
        public int M, N, K, Ldr, Ldb, Ldc;
        public float* Rows, B, C;

        public void Execute(int start, int end, int part)
        {
            int j0 = start * ColumnGroup, j1 = Math.Min(end * ColumnGroup, N);
            for (int i = 0; i < M; i++)
            {
                float* aRow = Rows + (long)i * Ldr;
                float* cRow = C + (long)i * Ldc;
                if (!Vector512.IsHardwareAccelerated) Portable(aRow, cRow, j0, j1);
                else if (TransposeB) DotColumns(aRow, cRow, j0, j1);
                else AxpyColumns(aRow, cRow, j0, j1);
            }
        }

        /// <summary>B stored transposed (n×k): C[j] = dot(a, B row j), four rows of B per pass over a.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void DotColumns(float* a, float* c, int j0, int j1)
        {
            int k = K;
            int j = j0;
            for (; j + 4 <= j1; j += 4)
            {
                float* b0 = B + (long)j * Ldb, b1 = b0 + Ldb, b2 = b1 + Ldb, b3 = b2 + Ldb;
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                int p = 0;
                for (; p + 16 <= k; p += 16)
                {
                    var x = Vector512.Load(a + p);
                    s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0);
                    s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1);
                    s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2);
                    s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3);
                }
                float r0 = Vector512.Sum(s0), r1 = Vector512.Sum(s1), r2 = Vector512.Sum(s2), r3 = Vector512.Sum(s3);
                for (; p < k; p++)
                {
                    float x = a[p];
                    r0 += x * b0[p]; r1 += x * b1[p]; r2 += x * b2[p]; r3 += x * b3[p];
                }
                Store(c + j, r0); Store(c + j + 1, r1); Store(c + j + 2, r2); Store(c + j + 3, r3);
            }
            for (; j < j1; j++)
                Store(c + j, TensorPrimitives.Dot(new ReadOnlySpan<float>(a, k), new ReadOnlySpan<float>(B + (long)j * Ldb, k)));
        }

        /// <summary>B stored as is (k×n): C[j0..j1] = Σ_p a[p]·B[p, j0..j1], 64 columns in registers at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void AxpyColumns(float* a, float* c, int j0, int j1)
        {
            int k = K;
            long ldb = Ldb;
            int j = j0;
            for (; j + 64 <= j1; j += 64)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var x = Vector512.Create(a[p]);
                    s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), s0);
                    s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), s1);
                    s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 32), s2);
                    s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 48), s3);
                }
                Store(c + j, s0); Store(c + j + 16, s1); Store(c + j + 32, s2); Store(c + j + 48, s3);
            }
            for (; j + 16 <= j1; j += 16)
            {
                Vector512<float> s = default;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb) s = Vector512.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.Load(bp), s);
                Store(c + j, s);
            }
            for (; j < j1; j++)
            {
                float s = 0;
                float* bp = B + j;
                for (int p = 0; p < k; p++, bp += ldb) s += a[p] * *bp;
                Store(c + j, s);
            }
        }

        /// <summary>Without 512-bit vectors: dot products or scaled row sums through TensorPrimitives.</summary>
        private readonly void Portable(float* a, float* c, int j0, int j1)
        {
            var aRow = new ReadOnlySpan<float>(a, K);
            if (TransposeB)
            {
                for (int j = j0; j < j1; j++) Store(c + j, TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(B + (long)j * Ldb, K)));
                return;
            }
            var cPart = new Span<float>(c + j0, j1 - j0);
            if (!Accumulate) cPart.Clear();
            for (int p = 0; p < K; p++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(B + (long)p * Ldb + j0, j1 - j0), a[p], cPart, cPart);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, float value) => *c = Accumulate ? *c + value : value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Store(float* c, Vector512<float> value) =>
            (Accumulate ? value + Vector512.Load(c) : value).Store(c);
    }
}
