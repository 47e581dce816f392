using System;
using System.Numerics.Tensors;

namespace DslNet.Backends.Cpu;

/// <summary>
/// Memory-bound element-wise kernels split over the worker pool in contiguous ranges. Each job runs
/// the same sequential code on its range, so results do not depend on the thread count; below the
/// pool's work threshold (a batch-1 pass) the whole range runs on the caller.
/// </summary>
internal static unsafe class ElementwiseJobs
{
    /// <summary>Work units per element (see <see cref="WorkerPool"/>): a few operations, memory-bound.</summary>
    public const long WorkPerElement = 2;

    /// <summary>Elements per range item: the pool splits items, so ranges stay whole cache lines.</summary>
    private const int Block = 1024;

    private static int Blocks(int length) => (length + Block - 1) / Block;

    private static (int Start, int Length) Range(int total, int startBlock, int endBlock)
    {
        int start = startBlock * Block;
        return (start, Math.Min(endBlock * Block, total) - start);
    }

    /// <summary>destination[i] = value.</summary>
    public static void Fill(WorkerPool pool, Span<float> destination, float value)
    {
        fixed (float* d = destination)
        {
            var job = new FillJob { Destination = d, Length = destination.Length, Value = value };
            pool.For(Blocks(destination.Length), WorkPerElement * Block, ref job);
        }
    }

    private struct FillJob : IParallelJob
    {
        public float* Destination;
        public int Length;
        public float Value;

        public void Execute(int start, int end, int part)
        {
            var (offset, length) = Range(Length, start, end);
            new Span<float>(Destination + offset, length).Fill(Value);
        }
    }

    /// <summary>y = max(x, 0) (IEEE maximum: NaN stays NaN).</summary>
    public static void ReluForward(WorkerPool pool, ReadOnlySpan<float> x, Span<float> y)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        {
            var job = new ReluForwardJob { X = xp, Y = yp, Length = x.Length };
            pool.For(Blocks(x.Length), WorkPerElement * Block, ref job);
        }
    }

    private struct ReluForwardJob : IParallelJob
    {
        public float* X, Y;
        public int Length;

        public void Execute(int start, int end, int part)
        {
            var (offset, length) = Range(Length, start, end);
            TensorPrimitives.Max(new ReadOnlySpan<float>(X + offset, length), 0f, new Span<float>(Y + offset, length));
        }
    }

    /// <summary>d += g where x &gt; 0.</summary>
    public static void ReluBackward(WorkerPool pool, ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        fixed (float* xp = x)
        fixed (float* gp = g)
        fixed (float* dp = d)
        {
            var job = new ReluBackwardJob { X = xp, G = gp, D = dp, Length = d.Length };
            pool.For(Blocks(d.Length), 2 * WorkPerElement * Block, ref job);
        }
    }

    private struct ReluBackwardJob : IParallelJob
    {
        public float* X, G, D;
        public int Length;

        public void Execute(int start, int end, int part)
        {
            var (offset, length) = Range(Length, start, end);
            CpuBackend.ReluBackward(new ReadOnlySpan<float>(X + offset, length), new ReadOnlySpan<float>(G + offset, length),
                new Span<float>(D + offset, length));
        }
    }
}
