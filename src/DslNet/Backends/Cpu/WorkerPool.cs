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
    /// runs on the calling thread; under <see cref="WorkerPool.For{TJob}"/> the others may run on any
    /// thread, in any order, several on one thread. Parts may run concurrently: they must write
    /// disjoint memory (or per-part slots).
    /// </summary>
    void Execute(int start, int end, int part);
}

/// <summary>
/// Work that <see cref="WorkerPool.RunCooperative{TJob}"/> runs on every thread that shows up: each
/// thread calls <see cref="Run"/> once, and the job hands out its pieces itself (for example from an
/// atomic counter), so a thread that arrives late takes what is left and one that never arrives
/// delays nothing.
/// </summary>
internal interface ICooperativeJob
{
    /// <summary>
    /// Does pieces of the work until none is left to take. Called on the caller and on every worker
    /// that joins in time, concurrently; it must finish the work when it runs on the caller alone. A
    /// piece may wait for a piece another thread has already taken (never for a thread to show up).
    /// When a piece throws, the job must let the threads waiting for it leave (the pool rethrows the
    /// first exception on the caller once every thread is out).
    /// </summary>
    void Run();
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
/// reproducible). Part 0 runs on the caller; the other parts go to whichever thread claims them first:
/// the woken workers, or the caller itself once its own part is done, so a worker that the operating
/// system has not scheduled (a loaded machine) delays nothing. The call returns when all parts are
/// done. Parts must therefore not wait for each other.</item>
/// <item><c>RunCooperative(ref job)</c> runs an <see cref="ICooperativeJob"/> on every thread that shows
/// up while it lasts, for work that hands out its own pieces and whose pieces may wait for each other
/// (the parallel GEMM's units, claimed from a counter). The caller starts at once; a worker joins when
/// it wakes if the caller has not finished yet; then the loop is closed, and the call waits only for
/// the workers that joined. Nobody ever waits for a thread to show up, so a worker that the operating
/// system has not scheduled delays nothing, and one that comes late still takes what is left.</item>
/// <item>Small problems stay on the caller: a part is only handed to another thread when it carries at
/// least <see cref="MinimumWorkPerPart"/> units of work, where count·workPerItem estimates the total
/// in floating-point operations (count a memory-bound element-wise item as a few operations per
/// element; the packed GEMM, far denser, counts <see cref="Gemm.FlopsPerWorkUnit"/> flops as one
/// unit). With one thread, or below the threshold, Execute(0, count, 0) runs inline: exactly the
/// sequential loop. Set MinimumWorkPerPart = 0 in a test to force every split.</item>
/// <item>Nothing is allocated per call: the job is passed by reference (it stays on the caller's
/// stack while the workers read it through a pointer) and dispatched through a static generic
/// function, so no closure or delegate exists.</item>
/// <item>Reentrancy: a loop issued from inside a job, or while another thread holds the pool (two
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

    /// <summary>The most threads a pool may have (parts are counted in 16 bits of the claim word).</summary>
    public const int MaxThreads = 1024;

    /// <summary>
    /// How many times an idle worker polls for new work before it blocks: about 1.5 ms here, longer than
    /// the single-threaded stretches of a training step (loss, optimizer update), so the workers are
    /// still spinning when the next parallel kernel starts.
    /// </summary>
    private const int SpinIterations = 2_000;

    private readonly Thread[] _workers;
    private readonly object _gate = new();

    // The loop being run: published by the caller before it writes the claim word and the tickets.
    private void* _job;
    private delegate*<void*, int, int, int, void> _execute;
    private int _count;

    // One ticket per worker, a cache line apart: the caller writes the tickets of the workers a loop
    // needs (only those), and each worker waits for its own to change. A ticket is
    // (loop number << 1) | 1 for a cooperative loop, (loop number << 1) for a claiming loop.
    private const int TicketStride = 16; // longs: 128 bytes
    private readonly long[] _tickets;
    private long _generation;     // loops started
    // Claim word of the current claiming loop: loop number (32 bits) | parts (16) | next part (16).
    // Claims compare the loop number, so a worker that wakes after its loop has ended claims nothing.
    private long _claim;
    // Join word of the current cooperative loop: loop number (32 bits) | closed flag | workers joined.
    // Joins compare the loop number and the flag, so a worker that wakes after its loop has been
    // closed stays out.
    private const long JoinClosed = 1L << 31;
    private long _join;
    private int _remaining;       // parts other than 0 not yet finished in the current loop
    private int _sleepers;        // workers blocked in Monitor.Wait
    private int _busy;            // 1 while a caller owns the pool

    /// <summary>
    /// Test hook: called by a worker each time it wakes for a loop, before it joins or claims anything
    /// (a test blocks it there to make the caller run every part alone, as when the worker is descheduled).
    /// </summary>
    internal Action? WorkerWokeHookForTests;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    // How loops have run (see Statistics). Written with Interlocked: once per loop or part, not per item.
    private long _sharedLoops, _cooperativeLoops, _partsRunByWorkers, _partsTakenOverByCaller, _workersJoined, _lateArrivals, _workerSleeps;
    private int _workersLeft;      // workers that joined the current cooperative loop and have left it

    /// <summary>A pool running loops on <paramref name="threads"/> threads: the caller and threads − 1 workers.</summary>
    public WorkerPool(int threads)
    {
        if (threads < 1 || threads > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"A worker pool needs 1 to {MaxThreads} threads.");
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

    /// <summary>
    /// How the loops handed to other threads have run so far: a multi-threaded run that is slower than
    /// expected shows here whether the workers took part (parts run by workers, workers joined) or the
    /// calling thread did their share (parts taken over, late arrivals), e.g. because the operating
    /// system was slow to wake them.
    /// </summary>
    public WorkerPoolStatistics Statistics => new(
        Interlocked.Read(ref _sharedLoops), Interlocked.Read(ref _cooperativeLoops), Interlocked.Read(ref _partsRunByWorkers),
        Interlocked.Read(ref _partsTakenOverByCaller), Interlocked.Read(ref _workersJoined), Interlocked.Read(ref _lateArrivals),
        Interlocked.Read(ref _workerSleeps));

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

    /// <summary>Runs job.Execute over [0, count), split as described on the class; parts are claimed dynamically.</summary>
    public void For<TJob>(int count, long workPerItem, scoped ref TJob job)
        where TJob : struct, IParallelJob, allows ref struct
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A parallel loop cannot have a negative count.");
        if (count == 0) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        int parts = PartsFor(count, workPerItem);
        if (parts == 1 || !TryAcquire())
        {
            // Too small, single-threaded, nested inside a job, or the pool is taken: run it here.
            job.Execute(0, count, 0);
            return;
        }
        Run(count, parts, ref job);
    }

    /// <summary>
    /// Runs <paramref name="job"/> on the caller and on every worker that joins while the caller is
    /// still at work (see <see cref="ICooperativeJob"/>). The caller starts at once; when its Run
    /// returns, the loop is closed to workers that have not joined yet, and the call returns once the
    /// workers that did join have left the job. With one thread, or when the pool is busy (a loop
    /// issued from inside a job, or another caller holds the pool), the caller runs the job alone.
    /// </summary>
    public void RunCooperative<TJob>(scoped ref TJob job)
        where TJob : struct, ICooperativeJob, allows ref struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Threads == 1 || !TryAcquire())
        {
            job.Run();
            return;
        }
        try
        {
            _job = Unsafe.AsPointer(ref job);
            _execute = &DispatchCooperative<TJob>;
            _failure = null;
            Volatile.Write(ref _workersLeft, 0);
            Interlocked.Increment(ref _cooperativeLoops);
            long generation = ++_generation;
            Interlocked.Exchange(ref _join, generation << 32);
            long ticket = (generation << 1) | 1;
            for (int w = 1; w < Threads; w++) // full fences: the fields above are visible first
                Interlocked.Exchange(ref _tickets[w * TicketStride], ticket);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);

            try
            {
                job.Run();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            // Close the loop: a worker that has not joined by now stays out. Those that have read the
            // job through a pointer into this frame, so wait until they have left it.
            int joined = (int)(Interlocked.Or(ref _join, JoinClosed) & (JoinClosed - 1));
            var spin = new SpinWait();
            while (Volatile.Read(ref _workersLeft) != joined) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            _failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private bool TryAcquire() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    private void Run<TJob>(int count, int parts, scoped ref TJob job)
        where TJob : struct, IParallelJob, allows ref struct
    {
        try
        {
            _job = Unsafe.AsPointer(ref job);
            _execute = &Dispatch<TJob>;
            _count = count;
            _failure = null;
            Volatile.Write(ref _remaining, parts - 1);
            Interlocked.Increment(ref _sharedLoops);
            long generation = ++_generation;
            Interlocked.Exchange(ref _claim, (generation << 32) | ((long)parts << 16) | 1);
            long ticket = generation << 1;
            for (int w = 1; w < parts; w++) // full fences: the fields above are visible first
                Interlocked.Exchange(ref _tickets[w * TicketStride], ticket);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);

            RunPart(0, parts);
            // Take over the parts no worker has started yet.
            int part;
            while ((part = Claim(generation, out _)) >= 0)
            {
                RunPart(part, parts);
                Interlocked.Increment(ref _partsTakenOverByCaller);
                Interlocked.Decrement(ref _remaining);
            }

            // Workers read the job through a pointer into the caller's frame: wait for all of them.
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

    /// <summary>A worker's entry into cooperative loop <paramref name="generation"/>: false if it is over or closed.</summary>
    private bool TryJoin(long generation)
    {
        long word = Volatile.Read(ref _join);
        while (true)
        {
            if ((int)(word >> 32) != (int)generation || (word & JoinClosed) != 0) return false;
            long seen = Interlocked.CompareExchange(ref _join, word + 1, word);
            if (seen == word) return true;
            word = seen;
        }
    }

    /// <summary>Runs one part, recording (not throwing) its exception so every part still completes.</summary>
    private void RunPart(int part, int parts)
    {
        int count = _count;
        try
        {
            _execute(_job, PartStart(count, parts, part), PartStart(count, parts, part + 1), part);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }

    /// <summary>The next unclaimed part of loop <paramref name="generation"/>, or −1 when none is left or that loop is over.</summary>
    private int Claim(long generation, out int parts)
    {
        long word = Volatile.Read(ref _claim);
        while (true)
        {
            int next = (int)(word & 0xFFFF);
            parts = (int)((word >> 16) & 0xFFFF);
            if ((int)(word >> 32) != (int)generation || next >= parts) return -1; // loop numbers wrap at 32 bits
            long seen = Interlocked.CompareExchange(ref _claim, word + 1, word);
            if (seen == word) return next;
            word = seen;
        }
    }

    private static void Dispatch<TJob>(void* job, int start, int end, int part)
        where TJob : struct, IParallelJob, allows ref struct
        => Unsafe.AsRef<TJob>(job).Execute(start, end, part);

    private static void DispatchCooperative<TJob>(void* job, int start, int end, int part)
        where TJob : struct, ICooperativeJob, allows ref struct
        => Unsafe.AsRef<TJob>(job).Run();

    private void WorkerLoop(int index)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForTicket(index, seen);
            if (_disposed) return;
            WorkerWokeHookForTests?.Invoke();
            long generation = seen >> 1;
            if ((seen & 1) != 0)
            {
                // Cooperative loop: join it unless the caller has already finished it.
                if (!TryJoin(generation))
                {
                    Interlocked.Increment(ref _lateArrivals);
                    continue;
                }
                // Joined: the caller waits for this worker to leave the job (its exception is recorded
                // for the caller; the job itself lets the threads waiting for it go).
                Interlocked.Increment(ref _workersJoined);
                try { _execute(_job, 0, 0, 0); }
                catch (Exception e) { Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null); }
                Interlocked.Increment(ref _workersLeft);
                continue;
            }
            // Claiming loop: a successful claim pins the loop (it cannot finish before this part does),
            // so the job fields read after it belong to this loop.
            int part;
            while ((part = Claim(generation, out int parts)) >= 0)
            {
                RunPart(part, parts);
                Interlocked.Increment(ref _partsRunByWorkers);
                Interlocked.Decrement(ref _remaining);
            }
        }
    }

    /// <summary>Spins, then blocks, until this worker's ticket differs from <paramref name="seen"/> or the pool is disposed.</summary>
    private long WaitForTicket(int index, long seen)
    {
        ref long ticket = ref _tickets[index * TicketStride];
        for (int i = 0; i < SpinIterations; i++)
        {
            long t = Volatile.Read(ref ticket);
            if (t != seen || _disposed) return t;
            Thread.SpinWait(30);
        }
        lock (_gate)
        {
            // Announce the sleep before the last check (both are full fences): a caller that writes the
            // ticket either is seen here or sees _sleepers > 0 and pulses, after we are waiting.
            Interlocked.Increment(ref _sleepers);
            Interlocked.Increment(ref _workerSleeps);
            long t;
            while ((t = Volatile.Read(ref ticket)) == seen && !_disposed) Monitor.Wait(_gate);
            Interlocked.Decrement(ref _sleepers);
            return t;
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

/// <summary>
/// Counts of how a CPU backend's multi-threaded loops ran, since the backend was created (loops that
/// stayed on the calling thread because they were small are not counted). See
/// <see cref="CpuBackend.PoolStatistics"/>.
/// </summary>
/// <param name="SharedLoops">Loops split into parts that any thread could claim (element-wise kernels, convolutions).</param>
/// <param name="CooperativeLoops">Loops that every thread joins while they last, taking pieces of the work as it goes (the parallel matrix product).</param>
/// <param name="PartsRunByWorkers">Parts of shared loops run by worker threads.</param>
/// <param name="PartsTakenOverByCaller">Parts of shared loops other than its own that the caller ran because no worker had claimed them yet.</param>
/// <param name="WorkersJoined">Times a worker joined a cooperative loop in time to take part.</param>
/// <param name="LateArrivals">Times a worker woke for a cooperative loop that the caller had already finished alone.</param>
/// <param name="WorkerSleeps">Times a worker stopped spinning and blocked (the next loop must wake it, which can take milliseconds).</param>
public readonly record struct WorkerPoolStatistics(
    long SharedLoops, long CooperativeLoops, long PartsRunByWorkers, long PartsTakenOverByCaller,
    long WorkersJoined, long LateArrivals, long WorkerSleeps)
{
    /// <summary>The counts accumulated since <paramref name="earlier"/> was taken.</summary>
    public WorkerPoolStatistics Since(WorkerPoolStatistics earlier) => new(
        SharedLoops - earlier.SharedLoops, CooperativeLoops - earlier.CooperativeLoops,
        PartsRunByWorkers - earlier.PartsRunByWorkers, PartsTakenOverByCaller - earlier.PartsTakenOverByCaller,
        WorkersJoined - earlier.WorkersJoined, LateArrivals - earlier.LateArrivals, WorkerSleeps - earlier.WorkerSleeps);
}
