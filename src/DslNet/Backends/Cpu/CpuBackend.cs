using System;

namespace DslNet.Backends.Cpu;

/// <summary>
/// The default backend: host memory, SIMD kernels. Kernels run synchronously: a kernel returns when
/// its work is done (it may have used the backend's worker threads meanwhile, see
/// <see cref="WorkerPool"/>), so <see cref="Synchronize"/> has nothing to wait for. The kernel
/// families live in the partial files CpuBackend.*.cs, one per family.
/// </summary>
public sealed partial class CpuBackend : Backend
{
    /// <summary>A backend using every core of the machine (<see cref="Environment.ProcessorCount"/> threads).</summary>
    public CpuBackend() : this(Environment.ProcessorCount) { }

    /// <summary>
    /// A backend whose kernels use at most <paramref name="threads"/> threads (≥ 1): the calling thread
    /// and threads − 1 workers, started here and stopped by <see cref="Dispose"/>. With 1, every kernel
    /// runs on the caller and no thread is started.
    /// </summary>
    public CpuBackend(int threads)
    {
        if (threads < 1 || threads > WorkerPool.MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"A CPU backend needs 1 to {WorkerPool.MaxThreads} threads.");
        Threads = threads;
        Pool = new WorkerPool(threads);
    }

    /// <summary>The shared default instance (every core; its workers are background threads).</summary>
    public static CpuBackend Default { get; } = new();

    /// <summary>The most threads a kernel may use.</summary>
    public int Threads { get; }

    /// <summary>
    /// How this backend's multi-threaded loops have run so far: how many parts the worker threads ran,
    /// how many the calling thread took over because no worker had claimed them in time, how many matrix
    /// products the workers joined or came too late for, and how often a worker had gone to sleep. Take
    /// one value before and one after a stretch of work and compare them with
    /// <see cref="WorkerPoolStatistics.Since"/>: many parts taken over or late arrivals mean the workers
    /// were not there in time (a busy machine), and fewer threads may then be faster.
    /// </summary>
    public WorkerPoolStatistics PoolStatistics => Pool.Statistics;

    /// <summary>The threads kernels split their loops over (see <see cref="WorkerPool"/> for the API).</summary>
    internal WorkerPool Pool { get; }

    /// <summary>Stops the worker threads. Buffers stay readable; kernels must not be called afterwards.</summary>
    public override void Dispose()
    {
        Pool.Dispose();
        base.Dispose();
    }

    public override string Name => $"cpu ({Threads} thread{(Threads == 1 ? "" : "s")})";

    public override DeviceBuffer Allocate(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length cannot be negative.");
        return new CpuBuffer(this, length);
    }

    public override void Synchronize() { }

    public override void CopyFromHost(ReadOnlySpan<float> source, BufferView destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        source.CopyTo(Host(destination));
    }

    public override void CopyToHost(BufferView source, Span<float> destination)
    {
        RequireSameLength(source.Length, destination.Length, nameof(destination));
        Host(source).CopyTo(destination);
    }

    /// <summary>The host span of a view, after checking that this backend owns it.</summary>
    internal Span<float> Host(BufferView view)
    {
        if (view.Buffer is null) return Span<float>.Empty;
        if (view.Buffer is not CpuBuffer cpu)
            throw new ArgumentException($"A {view.Buffer.GetType().Name} of backend '{view.Buffer.Owner.Name}' cannot be used by '{Name}'.");
        return cpu.Elements(view.Offset, view.Length);
    }

    internal static void RequireSameLength(int expected, int actual, string name)
    {
        if (expected != actual)
            throw new ArgumentException($"{name} has {actual} elements where {expected} are needed.", name);
    }
}
