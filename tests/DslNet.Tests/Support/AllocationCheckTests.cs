using System;
using Xunit;
using Xunit.Sdk;

namespace DslNet.Tests.Support;

/// <summary>The allocation check fails on an allocation per call and tolerates a one-off.</summary>
public class AllocationCheckTests
{
    private static object? s_kept;

    [Fact]
    public void An_allocation_in_every_call_fails_naming_the_work_and_the_bytes()
    {
        var error = Assert.Throws<XunitException>(() =>
            AllocationCheck.AssertRepeatedCallsAllocateNothing(() => s_kept = new byte[100], 2, "the probe"));
        Assert.StartsWith("the probe allocated in each of 3 batches of 2 calls: ", error.Message);
    }

    [Fact]
    public void A_one_off_allocation_and_no_allocation_pass()
    {
        bool first = true;
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() =>
        {
            if (first) s_kept = new byte[100];
            first = false;
        }, 2, "a one-off");
        int calls = 0;
        AllocationCheck.AssertRepeatedCallsAllocateNothing(() => calls++, 5, "nothing");
        Assert.Equal(5, calls); // the first batch allocated nothing: no second batch
    }
}
