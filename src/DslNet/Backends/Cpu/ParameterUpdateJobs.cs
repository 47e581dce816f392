using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The optimizer step on the CPU: the update rules of <see cref="ParameterUpdate"/> on 16-lane
/// vectors, and the sum of squares behind the gradient norm, split over the worker pool.
/// </summary>
/// <remarks>
/// Every element is updated by the same vector code wherever it falls: the pool splits whole blocks of
/// <see cref="Block"/> elements, and the last few elements (fewer than a vector) are copied into a
/// vector-sized scratch, updated there by that code, and copied back. The formulas use plain
/// multiplies and adds in the order <see cref="ParameterUpdate"/> states, never a fused
/// multiply-add, so a parameter's new value is bitwise the same for any thread count. The sum of
/// squares is split into chunks fixed by the length alone and added in chunk order, for the same reason.
/// </remarks>
internal static unsafe class ParameterUpdateJobs
{
    /// <summary>Elements per work item: a whole number of vectors, a few pages of each array.</summary>
    private const int Block = 1024;

    private const int Width = 16;

    /// <summary>Most chunks of the sum of squares (a stack array of partial sums).</summary>
    private const int MaxChunks = 64;

    /// <summary>Fewest elements per chunk of the sum of squares, so small sums stay one chunk.</summary>
    private const int MinChunk = 8192;

    public static void Apply(WorkerPool pool, in ParameterUpdate u, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state)
    {
        int count = parameters.Length;
        fixed (float* p = parameters)
        fixed (float* g = gradients)
        fixed (float* s = state)
        {
            switch (u.Rule)
            {
                case UpdateRule.Sgd when u.StateSlots == 0:
                    Run(pool, new PlainSgd(u), p, g, s, count, slots: 0, workPerElement: 3);
                    break;
                case UpdateRule.Sgd:
                    Run(pool, new MomentumSgd(u), p, g, s, count, slots: 1, workPerElement: 6);
                    break;
                case UpdateRule.Adam:
                    Run(pool, new Adam(u), p, g, s, count, slots: 2, workPerElement: 14);
                    break;
                case UpdateRule.RmsProp:
                    Run(pool, new RmsProp(u), p, g, s, count, u.StateSlots, workPerElement: 12);
                    break;
                case UpdateRule.Adagrad:
                    Run(pool, new Adagrad(u), p, g, s, count, slots: 1, workPerElement: 10);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(u), u.Rule, "Unknown update rule.");
            }
        }
    }

    /// <summary>Σ x² in double; see the class remarks for the fixed summation order.</summary>
    public static double SumOfSquares(WorkerPool pool, ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) return 0;
        int chunks = Math.Clamp(x.Length / MinChunk, 1, MaxChunks);
        double* partial = stackalloc double[chunks];
        fixed (float* xp = x)
        {
            var job = new SquaresJob { X = xp, Length = x.Length, Chunks = chunks, Partial = partial };
            pool.For(chunks, 2L * (x.Length / chunks), ref job);
        }
        double total = 0;
        for (int c = 0; c < chunks; c++) total += partial[c];
        return total;
    }

    private struct SquaresJob : IParallelJob
    {
        public float* X;
        public int Length, Chunks;
        public double* Partial;

        public void Execute(int start, int end, int part)
        {
            for (int c = start; c < end; c++)
            {
                int from = WorkerPool.PartStart(Length, Chunks, c), to = WorkerPool.PartStart(Length, Chunks, c + 1);
                Partial[c] = Squares(X + from, to - from);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Squares(float* x, int n)
        {
            Vector512<double> a0 = default, a1 = default;
            int i = 0;
            for (; i + Width <= n; i += Width)
            {
                var (lo, hi) = Vector512.Widen(Vector512.Load(x + i));
                a0 += lo * lo;
                a1 += hi * hi;
            }
            double total = Vector512.Sum(a0 + a1);
            for (; i < n; i++) total += (double)x[i] * x[i];
            return total;
        }
    }

    // ---- the update, generic over the rule (a struct, so each loop is compiled with its rule inlined) ----

    /// <summary>One rule on 16 consecutive elements: p, g, and the state slots s, s + stride, s + 2·stride.</summary>
    private interface IRule
    {
        void Apply(float* p, float* g, float* s, long stride);
    }

    private static void Run<TRule>(WorkerPool pool, TRule rule, float* p, float* g, float* s, int count, int slots, long workPerElement)
        where TRule : struct, IRule
    {
        var job = new UpdateJob<TRule> { Rule = rule, P = p, G = g, S = s, Count = count, Slots = slots };
        pool.For((count + Block - 1) / Block, workPerElement * Block, ref job);
    }

    private struct UpdateJob<TRule> : IParallelJob where TRule : struct, IRule
    {
        public TRule Rule;
        public float* P, G, S;
        public int Count, Slots;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int start, int end, int part)
        {
            long from = (long)start * Block, to = Math.Min((long)end * Block, Count);
            long vectorEnd = from + ((to - from) & ~(long)(Width - 1));
            // Locals, not fields: the loop stores through pointers, so fields of this job would be
            // reloaded on every vector; copies stay in registers (the rule's coefficients too).
            var rule = Rule;
            float* p = P, g = G, s = S;
            long stride = Count;
            for (long i = from; i < vectorEnd; i += Width) rule.Apply(p + i, g + i, s + i, stride);
            if (vectorEnd < to) Tail(vectorEnd, (int)(to - vectorEnd));
        }

        /// <summary>The last n &lt; 16 elements, through a vector-sized copy so they take the same code.</summary>
        private void Tail(long at, int n)
        {
            float* p = stackalloc float[Width];
            float* g = stackalloc float[Width];
            float* s = stackalloc float[3 * Width];
            new Span<float>(p, Width).Clear();
            new Span<float>(g, Width).Clear();
            new Span<float>(s, 3 * Width).Clear();
            new Span<float>(P + at, n).CopyTo(new Span<float>(p, n));
            new Span<float>(G + at, n).CopyTo(new Span<float>(g, n));
            for (int k = 0; k < Slots; k++) new Span<float>(S + k * (long)Count + at, n).CopyTo(new Span<float>(s + k * Width, n));
            Rule.Apply(p, g, s, Width);
            new Span<float>(p, n).CopyTo(new Span<float>(P + at, n));
            for (int k = 0; k < Slots; k++) new Span<float>(s + k * Width, n).CopyTo(new Span<float>(S + k * (long)Count + at, n));
        }
    }

    private readonly struct PlainSgd(in ParameterUpdate u) : IRule
    {
        private readonly Vector512<float> _shrink = Vector512.Create(u.Shrink), _minusRate = Vector512.Create(-u.LearningRate);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* s, long stride)
        {
            var value = Vector512.Load(p) * _shrink;
            (Vector512.Load(g) * _minusRate + value).Store(p);
        }
    }

    private readonly struct MomentumSgd(in ParameterUpdate u) : IRule
    {
        private readonly Vector512<float> _rate = Vector512.Create(u.LearningRate), _decay = Vector512.Create(u.WeightDecay),
            _momentum = Vector512.Create(u.Momentum);
        private readonly bool _nesterov = u.Nesterov;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* s, long stride)
        {
            var value = Vector512.Load(p);
            var d = Vector512.Load(g) + _decay * value;
            var velocity = _momentum * Vector512.Load(s) + d;
            velocity.Store(s);
            (value - _rate * (_nesterov ? d + _momentum * velocity : velocity)).Store(p);
        }
    }

    private readonly struct Adam(in ParameterUpdate u) : IRule
    {
        private readonly Vector512<float> _b1 = Vector512.Create(u.Decay1), _c1 = Vector512.Create(u.OneMinusDecay1),
            _b2 = Vector512.Create(u.Decay2), _c2 = Vector512.Create(u.OneMinusDecay2), _l2 = Vector512.Create(u.WeightDecay),
            _shrink = Vector512.Create(u.Shrink), _step = Vector512.Create(u.StepSize), _inv = Vector512.Create(u.InvSqrtBias2),
            _eps = Vector512.Create(u.Epsilon);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* s, long stride)
        {
            var value = Vector512.Load(p);
            var grad = Vector512.Load(g) + _l2 * value;
            var first = _b1 * Vector512.Load(s) + _c1 * grad;
            var second = _b2 * Vector512.Load(s + stride) + _c2 * grad * grad;
            first.Store(s);
            second.Store(s + stride);
            (value * _shrink - _step * first / (Vector512.Sqrt(second) * _inv + _eps)).Store(p);
        }
    }

    private readonly struct RmsProp(in ParameterUpdate u) : IRule
    {
        private readonly Vector512<float> _rate = Vector512.Create(u.LearningRate), _alpha = Vector512.Create(u.Decay1),
            _c = Vector512.Create(u.OneMinusDecay1), _eps = Vector512.Create(u.Epsilon), _decay = Vector512.Create(u.WeightDecay),
            _momentum = Vector512.Create(u.Momentum);
        private readonly bool _centered = u.Centered, _hasMomentum = u.Momentum > 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* s, long stride)
        {
            var value = Vector512.Load(p);
            var grad = Vector512.Load(g) + _decay * value;
            var square = _alpha * Vector512.Load(s) + _c * grad * grad;
            square.Store(s);
            var variance = square;
            float* next = s + stride;
            if (_centered)
            {
                var average = _alpha * Vector512.Load(next) + _c * grad;
                average.Store(next);
                // v − ḡ² ≥ 0 in exact arithmetic; clamp the rounding that could make it slightly negative.
                variance = Vector512.Max(variance - average * average, Vector512<float>.Zero);
                next += stride;
            }
            var direction = grad / (Vector512.Sqrt(variance) + _eps);
            if (_hasMomentum)
            {
                direction = _momentum * Vector512.Load(next) + direction;
                direction.Store(next);
            }
            (value - _rate * direction).Store(p);
        }
    }

    private readonly struct Adagrad(in ParameterUpdate u) : IRule
    {
        private readonly Vector512<float> _rate = Vector512.Create(u.LearningRate), _eps = Vector512.Create(u.Epsilon),
            _decay = Vector512.Create(u.WeightDecay);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* s, long stride)
        {
            var value = Vector512.Load(p);
            var grad = Vector512.Load(g) + _decay * value;
            var sum = Vector512.Load(s) + grad * grad;
            sum.Store(s);
            (value - _rate * grad / (Vector512.Sqrt(sum) + _eps)).Store(p);
        }
    }
}
