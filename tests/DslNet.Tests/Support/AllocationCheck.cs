using System;
using System.Threading;
using Xunit.Sdk;

namespace DslNet.Tests.Support;

/// <summary>
/// Whether calls repeated after a warm-up allocate on the calling thread.
/// </summary>
/// <remarks>
/// The calls run in batches until one batch allocates nothing, at most three batches. An allocation in
/// every call shows in every batch and fails the test. A one-off allocation does not: tiered
/// recompilation, or a per-thread buffer sized the first time the schedule gives this thread a kind of
/// part it had not run before. On CI's two cores, test classes run in parallel. There a thread that ran
/// training steps on a two-thread pool allocated once, 7–85 KB, in about one process in ten. No kernel
/// scratch grew and nothing was thrown: the scratch growth sites were instrumented, exceptions were
/// watched, and a probe showed the runtime's per-thread count is exact.
/// </remarks>
public static class AllocationCheck
{
    public const int Batches = 3;

    /// <param name="call">The work to repeat; create it (and any delegate) before calling, outside the measurement.</param>
    /// <param name="callsPerBatch">Calls per measured batch.</param>
    /// <param name="what">Names the work in the failure message.</param>
    public static void AssertRepeatedCallsAllocateNothing(Action call, int callsPerBatch, string what)
    {
        var allocated = new long[Batches];
        for (int batch = 0; batch < Batches; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerBatch; i++) call();
            allocated[batch] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated[batch] == 0) return;
            Thread.Sleep(100); // let background recompilation finish before the next batch
        }
        throw new XunitException(
            $"{what} allocated in each of {Batches} batches of {callsPerBatch} calls: {string.Join(", ", allocated)} bytes.");
    }
}
