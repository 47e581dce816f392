using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// AVX-512 max pooling for the common 2×2 window with stride 2 and no padding. A vector holds 16
/// consecutive inputs of a row, i.e. 8 windows' horizontal pairs; a masked load covers the last,
/// partial vector of a row, so any width works without a scalar tail.
///
/// The window's winner is exactly the generic kernel's: the first maximum in row-major order, a NaN
/// winning (the first NaN). Scanning a, b (top row) then c, d (bottom row), candidate v replaces the
/// current winner w when <c>w == w &amp;&amp; !(v &lt;= w)</c>: never once w is NaN, always when v is NaN,
/// otherwise only when strictly greater. The top pair's winner is found first, then the bottom
/// pair's, then the bottom winner replaces the top one by the same rule — the same result as the
/// sequential scan, because the first maximum of the window is the first maximum of the top row
/// unless the bottom row holds something strictly larger (or the first NaN).
///
/// Backward can fold in the derivative of the activation that produced x (MaxPool2x2.Gradients.cs) and
/// overwrite dx instead of adding into it: then it writes every element of dx, the winners' dz and zeros
/// elsewhere, and dx needs no zeroing beforehand.
/// </summary>
internal static unsafe partial class MaxPool2x2
{
    // Lane permutations, written where they are used as Vector512.Create of constants so the JIT sees
    // constant indices (a shuffle by indices loaded from a field is not a single instruction).

    public static bool Supports(in Pool2DGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.KernelHeight == 2 && g.KernelWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2
        && g.PadTop == 0 && g.PadLeft == 0 && 2 * g.OutHeight <= g.InHeight && 2 * g.OutWidth <= g.InWidth;

    /// <summary>Work units per plane for the worker pool (a few operations per input element).</summary>
    public static long WorkPerPlane(in Pool2DGeometry g) => 2L * g.InHeight * g.InWidth;

    /// <summary>Planes [start, end) of a forward pass.</summary>
    public struct Job : IParallelJob
    {
        public Pool2DGeometry G;
        public float* X, Y;

        public void Execute(int start, int end, int part)
        {
            long inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth;
            Forward(G, end - start, X + start * inPlane, Y + start * outPlane);
        }
    }

    /// <summary>Planes [start, end) of a backward pass with the activation gradient <typeparamref name="TGradient"/>.</summary>
    private struct BackwardJob<TGradient> : IParallelJob where TGradient : struct, IVectorGradient
    {
        public Pool2DGeometry G;
        public float* X, Dy, Dx;
        public TGradient Gradient;
        public bool Overwrite;

        public void Execute(int start, int end, int part)
        {
            long inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth;
            MaxPool2x2.Backward(G, end - start, X + start * inPlane, Gradient, Dy + start * outPlane, Dx + start * inPlane, Overwrite);
        }
    }

    /// <summary>
    /// The backward of <paramref name="planes"/> planes, split over <paramref name="pool"/>, with the
    /// derivative of <paramref name="activation"/> (fusable; Identity for the plain pool backward) chosen
    /// once here so the inner loop is compiled for it: see Backend.MaxPool2DBackward for what it writes.
    /// </summary>
    public static void Backward(WorkerPool pool, in Pool2DGeometry g, int planes, float* x, ActivationKind activation, float alpha,
        float* dy, float* dx, bool overwrite)
    {
        switch (activation)
        {
            case ActivationKind.Identity: Run(pool, g, planes, x, new IdentityGradient(), dy, dx, overwrite); break;
            case ActivationKind.ReLU: Run(pool, g, planes, x, new ReluGradient(), dy, dx, overwrite); break;
            case ActivationKind.LeakyReLU: Run(pool, g, planes, x, new LeakyReluGradient(alpha), dy, dx, overwrite); break;
            case ActivationKind.Sigmoid: Run(pool, g, planes, x, new SigmoidGradient(), dy, dx, overwrite); break;
            case ActivationKind.Tanh: Run(pool, g, planes, x, new TanhGradient(), dy, dx, overwrite); break;
            default: throw new ArgumentException($"{activation} is not a fusable activation.", nameof(activation));
        }
    }

    private static void Run<TGradient>(WorkerPool pool, in Pool2DGeometry g, int planes, float* x, TGradient gradient,
        float* dy, float* dx, bool overwrite) where TGradient : struct, IVectorGradient
    {
        var job = new BackwardJob<TGradient> { G = g, X = x, Dy = dy, Dx = dx, Gradient = gradient, Overwrite = overwrite };
        pool.For(planes, WorkPerPlane(g), ref job);
    }

    /// <summary>Mask of lanes where <paramref name="candidate"/> replaces <paramref name="current"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Beats(Vector512<float> candidate, Vector512<float> current) =>
        Vector512.AndNot(Vector512.Equals(current, current), Vector512.LessThanOrEqual(candidate, current));

    /// <summary>
    /// The winner of each horizontal pair (in both lanes of the pair) and the mask of pairs whose
    /// second element won.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairWinner(Vector512<float> v, Vector512<float> evenMask, out Vector512<float> secondWon)
    {
        var partner = Avx512F.PermuteVar16x32(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
        var first = Vector512.ConditionalSelect(evenMask, v, partner);
        var second = Vector512.ConditionalSelect(evenMask, partner, v);
        secondWon = Beats(second, first);
        return Vector512.ConditionalSelect(secondWon, second, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PrefixMask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* p, int count, Vector512<float> mask) =>
        count == 16 ? Vector512.Load(p) : Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in Pool2DGeometry g, int planes, float* x, float* y)
    {
        var evenMask = Vector512.Equals(Vector512<int>.Indices & Vector512<int>.One, Vector512<int>.Zero).AsSingle();
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, rowInputs = 2 * g.OutWidth;
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                float* top = x + (long)p * inPlane + 2 * oy * g.InWidth;
                float* bottom = top + g.InWidth;
                float* output = y + (long)p * outPlane + oy * g.OutWidth;
                for (int c = 0; c < rowInputs; c += 16)
                {
                    int count = Math.Min(16, rowInputs - c);
                    var mask = PrefixMask(count);
                    var upper = PairWinner(Load(top + c, count, mask), evenMask, out _);
                    var lower = PairWinner(Load(bottom + c, count, mask), evenMask, out _);
                    var winner = Vector512.ConditionalSelect(Beats(lower, upper), lower, upper);
                    // The 8 window results to the low lanes; stored with an EVEX mask (the VEX masked
                    // store, vmaskmovps, is microcoded and slow on AMD cores).
                    var packed = Avx512F.PermuteVar16x32(winner, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14));
                    Avx512F.MaskStore(output + c / 2, PrefixMask(count / 2), packed);
                }
            }
        }
    }

    /// <summary>
    /// dz = (dy routed to each window's winner, recomputed from x as in <see cref="Forward"/>) ⊙ f'(x),
    /// zero at every other element; dx = dz when <paramref name="overwrite"/> (the elements no window
    /// covers, a last odd row or column, become zero), else dx += dz.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TGradient>(in Pool2DGeometry g, int planes, float* x, TGradient gradient, float* dy, float* dx, bool overwrite)
        where TGradient : struct, IVectorGradient
    {
        var evenMask = Vector512.Equals(Vector512<int>.Indices & Vector512<int>.One, Vector512<int>.Zero).AsSingle();
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, rowInputs = 2 * g.OutWidth;
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                long topOffset = (long)p * inPlane + 2 * oy * g.InWidth;
                float* top = x + topOffset, bottom = top + g.InWidth;
                float* dTop = dx + topOffset, dBottom = dTop + g.InWidth;
                float* output = dy + (long)p * outPlane + oy * g.OutWidth;
                for (int c = 0; c < rowInputs; c += 16)
                {
                    int count = Math.Min(16, rowInputs - c);
                    var mask = PrefixMask(count);
                    var upperValues = Load(top + c, count, mask);
                    var lowerValues = Load(bottom + c, count, mask);
                    var upper = PairWinner(upperValues, evenMask, out var upperSecond);
                    var lower = PairWinner(lowerValues, evenMask, out var lowerSecond);
                    var lowerWon = Beats(lower, upper);
                    // A lane is its pair's winner when it is the second lane and the second won, or the
                    // first lane and the first won: secondWon XOR "is first lane".
                    var topWinner = Vector512.AndNot(Vector512.Xor(upperSecond, evenMask), lowerWon);
                    var bottomWinner = Vector512.Xor(lowerSecond, evenMask) & lowerWon;
                    var dyLow = Avx512F.MaskLoad(output + c / 2, PrefixMask(count / 2), Vector512<float>.Zero);
                    var dyPairs = Avx512F.PermuteVar16x32(dyLow, Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
                    // Masked after the derivative, so a non-winner gets exactly zero even where f'(x) is NaN.
                    var dzTop = topWinner & gradient.Apply(upperValues, dyPairs);
                    var dzBottom = bottomWinner & gradient.Apply(lowerValues, dyPairs);
                    if (!overwrite)
                    {
                        dzTop += Load(dTop + c, count, mask);
                        dzBottom += Load(dBottom + c, count, mask);
                    }
                    if (count == 16)
                    {
                        Vector512.Store(dzTop, dTop + c);
                        Vector512.Store(dzBottom, dBottom + c);
                    }
                    else
                    {
                        Avx512F.MaskStore(dTop + c, mask, dzTop);
                        Avx512F.MaskStore(dBottom + c, mask, dzBottom);
                    }
                }
                if (overwrite && rowInputs < g.InWidth)
                {
                    new Span<float>(dTop + rowInputs, g.InWidth - rowInputs).Clear();
                    new Span<float>(dBottom + rowInputs, g.InWidth - rowInputs).Clear();
                }
            }
            int coveredRows = 2 * g.OutHeight;
            if (overwrite && coveredRows < g.InHeight)
                new Span<float>(dx + (long)p * inPlane + coveredRows * g.InWidth, (g.InHeight - coveredRows) * g.InWidth).Clear();
        }
    }
}
