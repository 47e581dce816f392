using System;
using System.Linq;
using System.Threading;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

public class WorkerPoolTests
{
    /// <summary>Counts the visits of every item and records, per part, its range and thread.</summary>
    private struct RecordingJob : IParallelJob
    {
        public int[] Visits;
        public int[] Starts, Ends, ThreadIds;
        public int Calls;

        public void Execute(int start, int end, int part)
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref Visits[i]);
            Starts[part] = start;
            Ends[part] = end;
            ThreadIds[part] = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref Calls);
        }
    }

    private static RecordingJob NewRecording(int count, int threads)
    {
        var job = new RecordingJob { Visits = new int[count], Starts = new int[threads], Ends = new int[threads], ThreadIds = new int[threads] };
        Array.Fill(job.Starts, -1);
        return job;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_item_is_visited_once_in_contiguous_parts(int threads)
    {
        using var pool = new WorkerPool(threads) { MinimumWorkPerPart = 0 };
        foreach (int count in new[] { 1, 2, 3, 5, 7, 64, 1001 })
        {
            var job = NewRecording(count, threads);
            pool.For(count, 1, ref job);

            Assert.All(job.Visits, v => Assert.Equal(1, v));
            int parts = Math.Min(threads, count);
            Assert.Equal(parts, job.Calls);
            // Parts tile [0, count) in order, each non-empty and within one item of the others in size.
            for (int p = 0; p < parts; p++)
            {
                Assert.Equal(p == 0 ? 0 : job.Ends[p - 1], job.Starts[p]);
                Assert.InRange(job.Ends[p] - job.Starts[p], count / parts, count / parts + 1);
            }
            Assert.Equal(count, job.Ends[parts - 1]);
            Assert.Equal(Environment.CurrentManagedThreadId, job.ThreadIds[0]);
        }
    }

    /// <summary>
    /// Claims items from a counter on every thread that runs it, recording per item the thread that ran
    /// it; each item spins for a while, so that a loop lasts long enough for workers to join.
    /// </summary>
    private struct ClaimingJob : ICooperativeJob
    {
        public int[] Next, Runs, Owners;
        public int[] RunThreads; // slot per Run call (up to its length)
        public int SpinPerItem;

        public void Run()
        {
            int run = Interlocked.Increment(ref Runs[0]) - 1;
            if (run < RunThreads.Length) RunThreads[run] = Environment.CurrentManagedThreadId;
            int item;
            while ((item = Interlocked.Increment(ref Next[0]) - 1) < Owners.Length)
            {
                Owners[item] = Environment.CurrentManagedThreadId;
                Thread.SpinWait(SpinPerItem);
            }
        }
    }

    private static ClaimingJob NewClaiming(int items, int spinPerItem) => new()
    {
        Next = new int[1], Runs = new int[1], Owners = new int[items], RunThreads = new int[8], SpinPerItem = spinPerItem,
    };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void A_cooperative_loop_runs_on_the_caller_and_on_every_worker_that_joins(int threads)
    {
        using var pool = new WorkerPool(threads);
        int caller = Environment.CurrentManagedThreadId;
        var before = pool.Statistics;
        int runsByWorkers = 0, itemsByWorkers = 0;
        for (int repeat = 0; repeat < 20; repeat++)
        {
            var job = NewClaiming(4000, 50);
            pool.RunCooperative(ref job);
            // Every item done (the counter hands each out once); the caller and each worker ran the job at most once.
            Assert.All(job.Owners, owner => Assert.NotEqual(0, owner));
            Assert.InRange(job.Runs[0], 1, threads);
            var runners = job.RunThreads.AsSpan(0, job.Runs[0]).ToArray();
            Assert.Contains(caller, runners);
            Assert.Equal(job.Runs[0], new System.Collections.Generic.HashSet<int>(runners).Count);
            runsByWorkers += job.Runs[0] - 1;
            itemsByWorkers += Array.FindAll(job.Owners, owner => owner != caller).Length;
        }
        var ran = pool.Statistics.Since(before);
        Assert.Equal(20, ran.CooperativeLoops);
        Assert.Equal(runsByWorkers, ran.WorkersJoined);
        Assert.True(itemsByWorkers > 0, "spinning workers must have joined some of 20 loops of milliseconds each");
        Assert.Equal((0L, 0L, 0L), (ran.SharedLoops, ran.PartsRunByWorkers, ran.PartsTakenOverByCaller));
    }

    [Fact]
    public void A_cooperative_loop_the_caller_has_finished_is_closed_to_late_workers()
    {
        using var pool = new WorkerPool(2);
        var jobs = new ClaimingJob[10];
        for (int repeat = 0; repeat < jobs.Length; repeat++)
        {
            Thread.Sleep(5); // the worker stops spinning and blocks: it wakes long after this tiny loop is over
            jobs[repeat] = NewClaiming(1, 0);
            pool.RunCooperative(ref jobs[repeat]);
        }
        var runs = Array.ConvertAll(jobs, job => job.Runs[0]);
        Thread.Sleep(50); // late workers have woken by now: they must not have entered a finished loop
        Assert.Equal(runs, Array.ConvertAll(jobs, job => job.Runs[0]));
        var stats = pool.Statistics;
        Assert.Equal(10, stats.CooperativeLoops);
        Assert.Equal(stats.WorkersJoined, runs.Sum() - jobs.Length);
        Assert.True(stats.LateArrivals > 0, "a blocked worker cannot wake within a loop of a microsecond: some must have come late");
        Assert.True(stats.WorkersJoined + stats.LateArrivals <= jobs.Length);
    }

    private struct ThrowingCooperativeJob : ICooperativeJob
    {
        public bool ThrowOnCaller;
        public int Caller;
        public int[] Thrown, Runs;

        public void Run()
        {
            Interlocked.Increment(ref Runs[0]);
            bool onCaller = Environment.CurrentManagedThreadId == Caller;
            if (onCaller == ThrowOnCaller)
            {
                Volatile.Write(ref Thrown[0], 1);
                throw new InvalidOperationException(onCaller ? "failed on the caller" : "failed on a worker");
            }
            // The other threads wait (at most 10 s) until one has thrown, so that a worker surely runs.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref Thrown[0]) == 0 && clock.Elapsed.TotalSeconds < 10) Thread.Sleep(1);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_exception_in_a_cooperative_loop_reaches_the_caller_after_every_thread_has_left(bool onCaller)
    {
        using var pool = new WorkerPool(2);
        var job = new ThrowingCooperativeJob { ThrowOnCaller = onCaller, Caller = Environment.CurrentManagedThreadId, Thrown = new int[1], Runs = new int[1] };
        var error = Assert.Throws<InvalidOperationException>(() => pool.RunCooperative(ref job));
        Assert.Equal(onCaller ? "failed on the caller" : "failed on a worker", error.Message);
        int runs = job.Runs[0];
        Thread.Sleep(20);
        Assert.Equal(runs, job.Runs[0]); // nobody was still inside the job when the call returned

        var after = NewClaiming(100, 0);
        pool.RunCooperative(ref after); // the pool is usable again
        Assert.All(after.Owners, owner => Assert.NotEqual(0, owner));
    }

    [Fact]
    public void A_cooperative_loop_runs_alone_on_the_caller_with_one_thread_or_a_busy_pool()
    {
        using var single = new WorkerPool(1);
        var job = NewClaiming(10, 0);
        single.RunCooperative(ref job);
        Assert.Equal(1, job.Runs[0]);
        Assert.All(job.Owners, owner => Assert.Equal(Environment.CurrentManagedThreadId, owner));

        using var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var outer = new CooperativeInsideALoop { Pool = pool, Runs = new int[4], Threads = new int[4] };
        pool.For(4, 1, ref outer); // each part issues a cooperative loop while the pool is busy
        Assert.All(outer.Runs, runs => Assert.Equal(1, runs));
    }

    private struct CooperativeInsideALoop : IParallelJob
    {
        public WorkerPool Pool;
        public int[] Runs, Threads;
        public void Execute(int start, int end, int part)
        {
            for (int i = start; i < end; i++)
            {
                var inner = NewClaiming(10, 0);
                Pool.RunCooperative(ref inner);
                Runs[i] = inner.Runs[0];
                Assert.All(inner.Owners, owner => Assert.Equal(Environment.CurrentManagedThreadId, owner));
            }
        }
    }

    [Fact]
    public void A_cooperative_loop_allocates_nothing()
    {
        using var pool = new WorkerPool(2);
        var job = NewClaiming(64, 10);
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() =>
        {
            job.Next[0] = 0;
            pool.RunCooperative(ref job);
        }, 1000, "a cooperative loop");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Statistics_count_who_ran_the_parts_of_shared_loops(int threads)
    {
        using var pool = new WorkerPool(threads) { MinimumWorkPerPart = 0 };
        int caller = Environment.CurrentManagedThreadId;
        long byWorkers = 0, takenOver = 0;
        for (int repeat = 0; repeat < 200; repeat++)
        {
            if (repeat % 50 == 0) Thread.Sleep(20); // asleep workers: the caller takes over some parts
            var job = NewRecording(threads * 3, threads);
            pool.For(threads * 3, 1, ref job);
            for (int p = 1; p < threads; p++)
            {
                if (job.ThreadIds[p] == caller) takenOver++;
                else byWorkers++;
            }
        }
        var stats = pool.Statistics;
        Assert.Equal(200, stats.SharedLoops);
        Assert.True(stats.WorkerSleeps >= threads - 1, "workers idle for 20 ms must have gone to sleep");
        Assert.Equal((byWorkers, takenOver), (stats.PartsRunByWorkers, stats.PartsTakenOverByCaller));
        Assert.Equal(0, stats.CooperativeLoops + stats.WorkersJoined + stats.LateArrivals);
        // Loops kept on the caller (one thread's worth of work) are not counted. (Idle workers may still
        // go to sleep meanwhile, so sleeps are left out of the comparison.)
        var small = NewRecording(1, threads);
        pool.For(1, 1, ref small);
        Assert.Equal(new WorkerPoolStatistics(0, 0, 0, 0, 0, 0, 0), pool.Statistics.Since(stats) with { WorkerSleeps = 0 });
    }

    [Fact]
    public void A_thousand_loops_in_a_row_each_visit_every_item_once()
    {
        // Workers that wake late for a loop the caller already finished must not run parts of the next.
        using var pool = new WorkerPool(3) { MinimumWorkPerPart = 0 };
        var visits = new int[97];
        var job = new RecordingJob { Visits = visits, Starts = new int[3], Ends = new int[3], ThreadIds = new int[3] };
        for (int i = 0; i < 1000; i++) pool.For(97, 1, ref job);
        Assert.All(visits, v => Assert.Equal(1000, v));
        Assert.Equal(3000, job.Calls);
    }

    [Fact]
    public void One_thread_is_the_sequential_loop_on_the_caller()
    {
        using var pool = new WorkerPool(1) { MinimumWorkPerPart = 0 };
        var job = NewRecording(100, 1);
        pool.For(100, 1_000_000, ref job);
        Assert.Equal(1, job.Calls);
        Assert.Equal((0, 100), (job.Starts[0], job.Ends[0]));
        Assert.Equal(Environment.CurrentManagedThreadId, job.ThreadIds[0]);
        Assert.All(job.Visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Work_below_the_threshold_stays_on_the_caller()
    {
        using var pool = new WorkerPool(2);
        var small = NewRecording(10, 2);
        pool.For(10, WorkerPool.DefaultMinimumWorkPerPart / 20, ref small); // half a part's worth in total
        Assert.Equal(1, small.Calls);
        Assert.Equal(Environment.CurrentManagedThreadId, small.ThreadIds[0]);

        var large = NewRecording(10, 2);
        pool.For(10, WorkerPool.DefaultMinimumWorkPerPart, ref large); // ten parts' worth
        Assert.Equal(2, large.Calls);
        Assert.Equal(1, pool.PartsFor(1, long.MaxValue / 2)); // one item cannot be split
    }

    private struct ThrowingJob : IParallelJob
    {
        public int ThrowingPart;
        public int[] Finished;

        public void Execute(int start, int end, int part)
        {
            if (part == ThrowingPart) throw new InvalidOperationException($"part {part} failed on items {start}..{end}");
            Interlocked.Increment(ref Finished[0]);
        }
    }

    [Theory]
    [InlineData(0)] // the caller's part
    [InlineData(1)] // a worker's part
    public void An_exception_in_any_part_reaches_the_caller_with_its_message(int throwingPart)
    {
        using var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var job = new ThrowingJob { ThrowingPart = throwingPart, Finished = new int[1] };
        var error = Assert.Throws<InvalidOperationException>(() => pool.For(8, 1, ref job));
        Assert.Equal(throwingPart == 0 ? "part 0 failed on items 0..4" : "part 1 failed on items 4..8", error.Message);
        Assert.Equal(1, job.Finished[0]); // the other part still ran to its end before the call returned

        // The pool is still usable afterwards.
        var after = NewRecording(8, 2);
        pool.For(8, 1, ref after);
        Assert.All(after.Visits, v => Assert.Equal(1, v));
    }

    private struct SumJob : IParallelJob
    {
        public long[] PartSums;
        public void Execute(int start, int end, int part)
        {
            long s = 0;
            for (int i = start; i < end; i++) s += i;
            PartSums[part * 8] += s;
        }
    }

    [Fact]
    public void A_parallel_loop_allocates_nothing()
    {
        using var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var job = new SumJob { PartSums = new long[16] };
        pool.For(1000, 1, ref job); // first call: lazily created runtime structures, if any
        int loops = 1;
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => { pool.For(1000, 1, ref job); loops++; }, 1000, "a parallel loop");
        Assert.Equal(loops * (999L * 1000 / 2), job.PartSums[0] + job.PartSums[8]);
    }

    private struct NestingJob : IParallelJob
    {
        public WorkerPool Pool;
        public int[] InnerVisits;
        public void Execute(int start, int end, int part)
        {
            for (int i = start; i < end; i++)
            {
                var inner = new RecordingJob
                {
                    Visits = new int[4], Starts = new int[Pool.Threads], Ends = new int[Pool.Threads], ThreadIds = new int[Pool.Threads],
                };
                Pool.For(4, 1, ref inner); // the pool is busy: must run inline, not deadlock
                Assert.Equal(1, inner.Calls);
                Interlocked.Add(ref InnerVisits[i], inner.Visits[0] + inner.Visits[1] + inner.Visits[2] + inner.Visits[3]);
            }
        }
    }

    [Fact]
    public void A_loop_issued_from_inside_a_job_runs_inline()
    {
        using var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var job = new NestingJob { Pool = pool, InnerVisits = new int[6] };
        pool.For(6, 1, ref job);
        Assert.All(job.InnerVisits, v => Assert.Equal(4, v));
    }

    [Fact]
    public void Idle_workers_that_went_to_sleep_wake_up_for_the_next_loop()
    {
        using var pool = new WorkerPool(3) { MinimumWorkPerPart = 0 };
        Thread.Sleep(100); // long past the spinning phase: the workers block
        var job = NewRecording(30, 3);
        pool.For(30, 1, ref job);
        Assert.Equal(3, job.Calls);
        Assert.All(job.Visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Dispose_stops_the_workers_and_later_loops_are_refused()
    {
        var pool = new WorkerPool(2) { MinimumWorkPerPart = 0 };
        var job = NewRecording(4, 2);
        pool.For(4, 1, ref job);
        pool.Dispose();
        pool.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => pool.For(4, 1, ref job));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));
        using var pool = new WorkerPool(1);
        var job = NewRecording(1, 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pool.For(-1, 1, ref job));
        Assert.Contains("negative count", error.Message);
        pool.For(0, 1, ref job);
        Assert.Equal(0, job.Calls);
    }

    [Fact]
    public void The_backend_uses_the_thread_count_it_was_given()
    {
        using var backend = new CpuBackend(2);
        Assert.Equal(2, backend.Threads);
        Assert.Equal(2, backend.Pool.Threads);
        Assert.Equal("cpu (2 threads)", backend.Name);
        using var everyCore = new CpuBackend();
        Assert.Equal(Environment.ProcessorCount, everyCore.Threads);
    }

    [Fact]
    public void The_backend_reports_how_its_loops_ran()
    {
        using var backend = new CpuBackend(2);
        var before = backend.PoolStatistics;
        backend.Fill(backend.Allocate(1 << 20).View, 1f); // 1M elements: split over both threads
        var ran = backend.PoolStatistics.Since(before);
        Assert.Equal(1, ran.SharedLoops + ran.CooperativeLoops);
        Assert.Equal(1, ran.PartsRunByWorkers + ran.PartsTakenOverByCaller);
        Assert.Equal(0, ran.WorkersJoined + ran.LateArrivals);
    }
}
