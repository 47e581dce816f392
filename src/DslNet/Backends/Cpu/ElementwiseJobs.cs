using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            var job = new FillJob
            {
                Destination = d, Length = destination.Length, Value = value,
                Streaming = destination.Length >= StreamingFillFloats && Avx512F.IsSupported,
            };
            pool.For(Blocks(destination.Length), WorkPerElement * Block, ref job);
        }
    }

    /// <summary>
    /// Fills at least this long (32 MiB, the L3 of the machine this was measured on: more than the
    /// caches can keep for the kernels that read the buffer next) bypass the caches: a plain store
    /// first reads each line it writes, a streaming store does not. Zeroing W3's activation gradients
    /// (45 MB per training step, bench --profile, idle machine) took 2.1 ms on one thread and 1.6 ms on
    /// two with plain stores, 0.9–1.3 and 0.6–0.7 ms streaming. Shorter fills keep plain stores, which
    /// leave the buffer in cache for its next reader.
    /// </summary>
    private const int StreamingFillFloats = 8 << 20;

    private static void FillStreaming(float* destination, int length, float value)
    {
        // Streaming stores need 64-byte aligned addresses: plain stores up to the first line boundary.
        int head = Math.Min(length, (int)(((64 - ((nint)destination & 63)) & 63) / sizeof(float)));
        new Span<float>(destination, head).Fill(value);
        var v = Vector512.Create(value);
        int i = head;
        for (; i + 16 <= length; i += 16) Avx512F.StoreAlignedNonTemporal(destination + i, v);
        new Span<float>(destination + i, length - i).Fill(value);
        Sse.StoreFence(); // streaming stores are weakly ordered: make them visible before the next kernel's reads
    }

    private struct FillJob : IParallelJob
    {
        public float* Destination;
        public int Length;
        public float Value;
        public bool Streaming;

        public void Execute(int start, int end, int part)
        {
            var (offset, length) = Range(Length, start, end);
            if (Streaming) FillStreaming(Destination + offset, length, Value);
            else new Span<float>(Destination + offset, length).Fill(Value);
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
