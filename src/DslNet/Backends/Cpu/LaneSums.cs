using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Horizontal sums of 16-lane accumulators, eight at a time. A dot-product kernel that keeps one
/// accumulator per output ends with as many horizontal sums as outputs; reduced one by one
/// (Vector512.Sum: four in-lane shuffle-and-add trees and three scalar adds, ~25 instructions) they
/// cost W1's batch-1 layer 2 as much as reading its 0.5 MB of weights from L2. Reduced together,
/// eight accumulators take 15 shuffles and 7 adds: W1 b1's 256×512 product from L2 went from
/// 8.0 to 4.4 µs (one thread), the speed of a plain read of that many bytes.
/// </summary>
/// <remarks>
/// Every sum is reduced by the same tree of lane-wise additions, whatever slot its accumulator
/// takes and whatever the other seven hold (each addition adds two lanes of one accumulator), so
/// a kernel may reduce one, four or eight sums at once and get the same bits for each. For lanes
/// v[0..15]: t[i] = v[i] + v[i+8] (i &lt; 8), u[j] = t[j] + t[j+4] (j &lt; 4), sum = (u[0] + u[2]) + (u[1] + u[3]).
/// </remarks>
internal static class LaneSums
{
    /// <summary>The sums of s0 … s7, in lanes 0 … 7, each reduced as the remarks say.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Eight(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7)
    {
        if (!Avx512F.IsSupported) return Portable(s0, s1, s2, s3, s4, s5, s6, s7);
        // t: pairs of accumulators, t of the first in lanes 0–7 and of the second in lanes 8–15.
        var t01 = Avx512F.Shuffle4x128(s0, s1, 0x44) + Avx512F.Shuffle4x128(s0, s1, 0xEE);
        var t23 = Avx512F.Shuffle4x128(s2, s3, 0x44) + Avx512F.Shuffle4x128(s2, s3, 0xEE);
        var t45 = Avx512F.Shuffle4x128(s4, s5, 0x44) + Avx512F.Shuffle4x128(s4, s5, 0xEE);
        var t67 = Avx512F.Shuffle4x128(s6, s7, 0x44) + Avx512F.Shuffle4x128(s6, s7, 0xEE);
        // u: 128-bit block q holds u of accumulator q (first four) or 4 + q (last four).
        var u0123 = Avx512F.Shuffle4x128(t01, t23, 0x88) + Avx512F.Shuffle4x128(t01, t23, 0xDD);
        var u4567 = Avx512F.Shuffle4x128(t45, t67, 0x88) + Avx512F.Shuffle4x128(t45, t67, 0xDD);
        // Block q: [u0 + u2, u1 + u3] of accumulator q, then of accumulator 4 + q.
        var w = Avx512F.UnpackLow(u0123.AsDouble(), u4567.AsDouble()).AsSingle()
              + Avx512F.UnpackHigh(u0123.AsDouble(), u4567.AsDouble()).AsSingle();
        // Lanes 4q and 4q + 2: the sums of accumulators q and 4 + q (the odd lanes hold the same, added the other way round).
        var sums = w + Avx512F.Permute4x32(w, 0xB1);
        return Avx512F.PermuteVar16x32(sums, Vector512.Create(0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower();
    }

    /// <summary>The same tree, lane by lane (for machines without AVX-512, and as the definition tests check).</summary>
    internal static Vector256<float> Portable(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7) =>
        Vector256.Create(Tree(s0), Tree(s1), Tree(s2), Tree(s3), Tree(s4), Tree(s5), Tree(s6), Tree(s7));

    private static float Tree(Vector512<float> v)
    {
        float t0 = v[0] + v[8], t1 = v[1] + v[9], t2 = v[2] + v[10], t3 = v[3] + v[11];
        float t4 = v[4] + v[12], t5 = v[5] + v[13], t6 = v[6] + v[14], t7 = v[7] + v[15];
        float u0 = t0 + t4, u1 = t1 + t5, u2 = t2 + t6, u3 = t3 + t7;
        return (u0 + u2) + (u1 + u3);
    }
}
