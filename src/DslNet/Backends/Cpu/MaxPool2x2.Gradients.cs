using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// The activation derivatives the fused max-pool backward applies, one struct per activation so that the
// JIT compiles the pool's loop once for each (a generic over a struct is specialised, an interface call
// inlined). Each gives dy · f'(y) from the activation's output y by the expressions of
// FusedActivation.ElementGradient, lane by lane, so the fused pass gives what the layer's own backward would.
internal static partial class MaxPool2x2
{
    internal interface IVectorGradient
    {
        /// <summary>dy · f'(y) in every lane.</summary>
        Vector512<float> Apply(Vector512<float> y, Vector512<float> dy);
    }

    internal readonly struct IdentityGradient : IVectorGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => dy;
    }

    /// <summary>y &gt; 0 ? dy : 0 (a NaN y passes nothing).</summary>
    internal readonly struct ReluGradient : IVectorGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => Vector512.GreaterThan(y, Vector512<float>.Zero) & dy;
    }

    /// <summary>y &gt; 0 ? dy : alpha · dy (alpha ≥ 0, so y's sign is the input's).</summary>
    internal readonly struct LeakyReluGradient(float alpha) : IVectorGradient
    {
        private readonly Vector512<float> _alpha = Vector512.Create(alpha);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, _alpha * dy);
    }

    /// <summary>dy · y · (1 − y).</summary>
    internal readonly struct SigmoidGradient : IVectorGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
    }

    /// <summary>dy · (1 − y²).</summary>
    internal readonly struct TanhGradient : IVectorGradient
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
    }
}
