using System;
using DslNet.Backends;
using DslNet.Backends.Cpu;

namespace DslNet.Tests.Support;

/// <summary>Small helpers to move test data in and out of a CPU backend.</summary>
public static class CpuTensors
{
    public static BufferView Upload(this Backend backend, double[] values)
    {
        var buffer = backend.Allocate(values.Length);
        backend.CopyFromHost(GradientCheck.ToFloat(values), buffer.View);
        return buffer.View;
    }

    public static BufferView Zeros(this Backend backend, int length) => backend.Allocate(length).View;

    public static float[] Download(this Backend backend, BufferView view)
    {
        var result = new float[view.Length];
        backend.CopyToHost(view, result);
        return result;
    }

    public static CpuBackend NewCpu(int threads = 1) => new(threads);
}
