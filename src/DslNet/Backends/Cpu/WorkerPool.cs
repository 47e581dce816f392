using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace DslNet.Backends.Cpu;

/// <summary>
/// A range of work that <see cref="WorkerPool.For{TJob}"/> splits across threads. Implement it on a
/// struct (a <c>ref struct</c> may hold spans) that carries the kernel's operands; the pool calls
/// <see cref="Execute"/> once per part with disjoint, contiguous ranges that together cover [0, count).
/// </summary>
internal interface IParallelJob
{
    /// <summary>
    /// Processes items [<paramref name="start"/>, <paramref name="end"/>). <paramref name="part"/> is
    /// the index of this range among the parts of the call (0 ≤ part &lt; <see cref="WorkerPool.Threads"/>),
    /// so a job may keep per-part scratch or partial sums in an array of Threads slots. Part 0 always
    /// runs on the calling thread. Parts run concurrently: they must write disjoint memory.
    /// </summary>
    void Execute(int start, int end, int part);
}

/// <summary>
/// The CPU backend's threads: a fixed set of workers that a kernel borrows for one parallel loop.
/// </summary>
/// <remarks>
/// <para>How a kernel uses it (the API for every CpuBackend.*.cs file):</para>
/// <code>
/// private struct ScaleRows : IParallelJob          // or a ref struct holding spans
/// {
///     public float* Data; public int Columns; public float Factor;
///     public void Execute(int start, int end, int part)
///     {
///         for (int r = start; r &lt; end; r++) { /* rows start..end−1 only */ }
///     }
/// }
/// var job = new ScaleRows { Data = p, Columns = n, Factor = f };
/// Pool.For(rows, workPerItem: 2L * n, ref job);   // returns when every row is done
/// </code>
/// <list type="bullet">
/// <item><c>For(count, workPerItem, ref job)</c> splits [0, count) into at most <see cref="Threads"/>
/// contiguous, near-equal parts (the split depends only on count, the work and Threads, so results are
/// reproducible). Part 0 runs on the caller; the call returns when all parts are done.</item>
/// <item>Small problems stay on the caller: a part is only handed to another thread when it carries at
/// least <see cref="MinimumWorkPerPart"/> units of work, where count·workPerItem estimates the total
/// in floating-point operations (count a memory-bound element-wise item as a few operations per
/// element; the packed GEMM, far denser, counts <see cref="Gemm.FlopsPerWorkUnit"/> flops as one
/// unit). With one thread, or below the threshold, Execute(0, count, 0) runs inline: exactly the
/// sequential loop. Set MinimumWorkPerPart = 0 in a test to force every split.</item>
/// <item>Nothing is allocated per call: the job is passed by reference (it stays on the caller's
/// stack while the workers read it through a pointer) and dispatched through a static generic
/// function, so no closure or delegate exists.</item>
/// <item>Reentrancy: a For issued from inside a job, or while another thread holds the pool (two
/// networks sharing a backend), runs inline on its caller instead of waiting or deadlocking.</item>
/// <item>An exception thrown by any part is rethrown on the caller (the first one, with its original
/// type, message and stack) after every part has finished.</item>
/// <item>Workers spin briefly after each loop (consecutive kernels of a training step follow each
/// other within microseconds), then block; <see cref="Dispose"/> stops and joins them.</item>
/// </list>
/// </remarks>
internal sealed unsafe class WorkerPool : IDisposable
{
    /// <summary>
    /// Work (≈ floating-point operations) below which handing a part to another thread costs more than
    /// it saves. Waking a spinning worker and waiting for it costs about a microsecond, a blocked one
    /// tens of microseconds; 100k operations take 0.5–10 µs depending on the kernel.
    /// </summary>
    public const long DefaultMinimumWorkPerPart = 100_000;

    /// <summary>How many times an idle worker polls for new work before it blocks (≈ 50–100 µs).</summary>
    private const int SpinIterations = 2_000;

    private readonly Thread[] _workers;
    private readonly object _gate = new();

    // The loop being run: published by the caller before it bumps the tickets.
    private void* _job;
    private delegate*<void*, int, int, int, void> _execute;
    private int _count;
    private int _parts;

    // One ticket per worker, a cache line apart: the caller bumps the tickets of the workers a loop
    // needs (only those), and each worker waits for its own to change. A worker that is not needed is
    // not woken, and a worker that is needed cannot lag a loop behind, since the caller waits for it.
    private const int TicketStride = 16; // longs: 128 bytes
    private readonly long[] _tickets;
    private long _generation;     // loops started; the value written into the tickets
    private int _remaining;       // parts not yet finished by workers in the current loop
    private int _sleepers;        // workers blocked in Monitor.Wait
    private int _busy;            // 1 while a caller owns the pool
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>A pool running loops on <paramref name="threads"/> threads: the caller and threads − 1 workers.</summary>
    public WorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A worker pool needs at least one thread.");
        Threads = threads;
        _workers = new Thread[threads - 1];
        _tickets = new long[threads * TicketStride];
        for (int i = 0; i < _workers.Length; i++)
        {
            int part = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(part), maxStackSize: 1 << 20)
            {
                IsBackground = true, // a forgotten Dispose must not keep the process alive
                Name = $"DslNet CPU worker {part}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>The most parts a loop is split into (the caller counts as one).</summary>
    public int Threads { get; }

    /// <summary>See <see cref="DefaultMinimumWorkPerPart"/>; 0 parallelises every loop with count ≥ 2 (tests).</summary>
    public long MinimumWorkPerPart { get; set; } = DefaultMinimumWorkPerPart;

    /// <summary>How many parts <see cref="For{TJob}"/> would use for this loop (1 = inline).</summary>
    public int PartsFor(int count, long workPerItem)
    {
        if (count <= 1 || Threads == 1) return 1;
        workPerItem = Math.Max(workPerItem, 1);
        long total = workPerItem > long.MaxValue / count ? long.MaxValue : count * workPerItem;
        long byWork = MinimumWorkPerPart <= 0 ? Threads : total / MinimumWorkPerPart;
        return (int)Math.Clamp(Math.Min(byWork, count), 1, Threads);
    }

    /// <summary>The first item of part <paramref name="part"/> when <paramref name="count"/> items are split into <paramref name="parts"/>.</summary>
    public static int PartStart(int count, int parts, int part) => (int)((long)count * part / parts);

    /// <summary>Runs job.Execute over [0, count), split as described on the class.</summary>
    public void For<TJob>(int count, long workPerItem, scoped ref TJob job)
        where TJob : struct, IParallelJob, allows ref struct
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A parallel loop cannot have a negative count.");
        if (count == 0) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        int parts = PartsFor(count, workPerItem);
        if (parts == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            // Too small, single-threaded, nested inside a job, or the pool is taken: run it here.
            job.Execute(0, count, 0);
            return;
        }

        try
        {
            _job = Unsafe.AsPointer(ref job);
            _execute = &Dispatch<TJob>;
            _count = count;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _remaining, parts - 1);
            long generation = ++_generation;
            for (int w = 1; w < parts; w++) // full fences: the fields above are visible first
                Interlocked.Exchange(ref _tickets[w * TicketStride], generation);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);

            try
            {
                job.Execute(0, PartStart(count, parts, 1), 0);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }

            // The workers read the job through a pointer into this frame: wait for all of them.
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            _failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void Dispatch<TJob>(void* job, int start, int end, int part)
        where TJob : struct, IParallelJob, allows ref struct
        => Unsafe.AsRef<TJob>(job).Execute(start, end, part);

    private void WorkerLoop(int part)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForTicket(part, seen);
            if (_disposed) return;
            int parts = _parts, count = _count;
            try
            {
                _execute(_job, PartStart(count, parts, part), PartStart(count, parts, part + 1), part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Decrement(ref _remaining);
        }
    }

    /// <summary>Spins, then blocks, until this worker's ticket differs from <paramref name="seen"/> or the pool is disposed.</summary>
    private long WaitForTicket(int part, long seen)
    {
        ref long ticket = ref _tickets[part * TicketStride];
        for (int i = 0; i < SpinIterations; i++)
        {
            long g = Volatile.Read(ref ticket);
            if (g != seen || _disposed) return g;
            Thread.SpinWait(30);
        }
        lock (_gate)
        {
            // Announce the sleep before the last check (both are full fences): a caller that bumps the
            // ticket either is seen here or sees _sleepers > 0 and pulses, after we are waiting.
            Interlocked.Increment(ref _sleepers);
            long g;
            while ((g = Volatile.Read(ref ticket)) == seen && !_disposed) Monitor.Wait(_gate);
            Interlocked.Decrement(ref _sleepers);
            return g;
        }
    }

    /// <summary>Stops the workers and waits for them. Loops already running finish first.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        // Wait for a loop in flight so its workers are not stopped halfway.
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) spin.SpinOnce();
        _disposed = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var worker in _workers) worker.Join();
    }
}
