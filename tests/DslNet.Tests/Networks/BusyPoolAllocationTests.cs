using System;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using DslNet.Backends.Cpu;
using DslNet.Tests.Kernels;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Networks;

/// <summary>
/// Training steps allocate nothing once warm, however their loops meet the pool: free (split over the
/// threads), held by another thread (every loop runs whole on the caller, as when two networks share
/// CpuBackend.Default), or free but with its worker held back (the caller takes over every part, as when
/// the machine deschedules the worker), whichever state the first step met.
/// </summary>
public class BusyPoolAllocationTests
{
    [Theory]
    [InlineData(PoolState.Free)]
    [InlineData(PoolState.Busy)]
    [InlineData(PoolState.WorkerAbsent)]
    public void Small_lenet_steps_allocate_nothing_however_they_meet_the_pool(PoolState first)
    {
        using var backend = SplittingBackend();
        var net = new SmallLeNet(maxBatch: 8, seed: 2, backend);
        var optimizer = new Adam(1e-3) { ClipGradientNorm = 5 };
        float[] x = GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(3), 8 * SmallLeNet.Shapes.ImageSize));
        int[] labels = { 0, 1, 2, 0, 1, 2, 0, 1 };
        AssertLaterStepsAllocateNothing(backend.Pool, first, () => net.TrainStep(x, labels, optimizer));
    }

    [Theory]
    [InlineData(PoolState.Free)]
    [InlineData(PoolState.Busy)]
    [InlineData(PoolState.WorkerAbsent)]
    public void Winograd_network_steps_allocate_nothing_however_they_meet_the_pool(PoolState first)
    {
        using var backend = SplittingBackend();
        const int batch = 40;
        var net = new SmallKerasCnn(maxBatch: batch, seed: 3, backend);
        var optimizer = new Adam(1e-3);
        float[] x = GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(4), batch * SmallKerasCnn.Shapes.ImageSize));
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 4).ToArray();
        AssertLaterStepsAllocateNothing(backend.Pool, first, () => net.TrainStep(x, labels, optimizer));
    }

    /// <summary>Two threads, every loop that can split does (no minimum work per part).</summary>
    private static CpuBackend SplittingBackend()
    {
        var backend = CpuTensors.NewCpu(2);
        backend.Pool.MinimumWorkPerPart = 0;
        return backend;
    }

    /// <summary>How the step's loops meet the pool.</summary>
    public enum PoolState
    {
        /// <summary>Free, with its worker: loops split.</summary>
        Free,
        /// <summary>Held by another thread: every loop runs whole on the caller.</summary>
        Busy,
        /// <summary>Free, but the worker never shows up: the caller takes over every part (and runs cooperative loops alone).</summary>
        WorkerAbsent,
    }

    /// <summary>
    /// Runs the steps on a new thread: kernel scratch is per thread and only grows, so on a test runner's
    /// thread that earlier tests used, scratch they sized could hide an allocation.
    /// </summary>
    private static void AssertLaterStepsAllocateNothing(WorkerPool pool, PoolState first, Action step)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { StepInEveryState(pool, first, step); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    private static void StepInEveryState(WorkerPool pool, PoolState first, Action step)
    {
        using (Enter(pool, first)) step();
        foreach (var state in new[] { PoolState.Free, PoolState.Busy, PoolState.WorkerAbsent, PoolState.Free })
            using (Enter(pool, state)) // entered outside the measurement: setting up a state allocates
            {
                var statistics = pool.Statistics;
                AllocationCheck.AssertRepeatedCallsAllocateNothing(step, 2, $"training steps with the pool {state} (first step: {first})");
                AssertStepsMet(state, pool.Statistics.Since(statistics));
            }
    }

    /// <summary>
    /// The step ran as the state says: a test that set up nothing would prove nothing. Whether a free
    /// pool's worker joined is up to the machine, so Free is not checked.
    /// </summary>
    private static void AssertStepsMet(PoolState state, WorkerPoolStatistics ran)
    {
        switch (state)
        {
            case PoolState.Busy:
                Assert.Equal(0, ran.SharedLoops + ran.CooperativeLoops);
                break;
            case PoolState.WorkerAbsent:
                Assert.Equal(0, ran.PartsRunByWorkers + ran.WorkersJoined);
                Assert.True(ran.PartsTakenOverByCaller + ran.CooperativeLoops > 0, $"the caller should have run loops alone: {ran}");
                break;
        }
    }

    private static IDisposable? Enter(WorkerPool pool, PoolState state) => state switch
    {
        PoolState.Busy => PoolHolder.Hold(pool),
        PoolState.WorkerAbsent => AbsentWorker.Keep(pool),
        _ => null,
    };

    /// <summary>Keeps the pool's workers from joining or claiming anything until disposed.</summary>
    private sealed class AbsentWorker : IDisposable
    {
        private readonly WorkerPool _pool;
        private readonly ManualResetEventSlim _release = new();

        private AbsentWorker(WorkerPool pool)
        {
            _pool = pool;
            pool.WorkerWokeHookForTests = () => _release.Wait();
        }

        public static AbsentWorker Keep(WorkerPool pool) => new(pool);

        public void Dispose()
        {
            _pool.WorkerWokeHookForTests = null;
            _release.Set();
        }
    }

    /// <summary>Holds a pool from another thread (a cooperative loop that waits) until disposed.</summary>
    private sealed class PoolHolder : IDisposable
    {
        private readonly ManualResetEventSlim _release = new(), _holding = new();
        private readonly Thread _thread;

        private PoolHolder(WorkerPool pool)
        {
            _thread = new Thread(() =>
            {
                var job = new WaitingJob { Holding = _holding, Release = _release };
                pool.RunCooperative(ref job);
            });
            _thread.Start();
            Assert.True(_holding.Wait(TimeSpan.FromSeconds(10)), "the holder thread did not take the pool");
        }

        public static PoolHolder Hold(WorkerPool pool) => new(pool);

        public void Dispose()
        {
            _release.Set();
            _thread.Join();
        }

        private struct WaitingJob : ICooperativeJob
        {
            public ManualResetEventSlim Holding, Release;
            public void Run()
            {
                Holding.Set(); // also on a worker that joins: both wait until released
                Release.Wait();
            }
        }
    }
}
