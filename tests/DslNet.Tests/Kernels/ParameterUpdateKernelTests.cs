using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// The optimizer kernels of the CPU backend (SumOfSquares, ApplyUpdate) on parameter sets large enough
/// to be split over threads: the formulas themselves are checked against double references in
/// OptimizerTests; here, that splitting, blocking and the vector tail change nothing.
/// </summary>
public class ParameterUpdateKernelTests
{
    // 3·1024 + 700 + 13: several work blocks, a partial block and a tail shorter than a vector.
    private static readonly int[] TensorLengths = { 3 * 1024, 700, 13 };

    public static IEnumerable<object[]> Rules()
    {
        yield return new object[] { "sgd", (Func<Optimizer>)(() => new Sgd(0.1)) };
        yield return new object[] { "sgd-decay", (Func<Optimizer>)(() => new Sgd(0.1, weightDecay: 0.05)) };
        yield return new object[] { "sgd-momentum", (Func<Optimizer>)(() => new Sgd(0.1, momentum: 0.9, weightDecay: 0.01)) };
        yield return new object[] { "sgd-nesterov", (Func<Optimizer>)(() => new Sgd(0.1, momentum: 0.9, nesterov: true)) };
        yield return new object[] { "adam", (Func<Optimizer>)(() => new Adam(0.01, weightDecay: 0.01)) };
        yield return new object[] { "adamw", (Func<Optimizer>)(() => new AdamW(0.01)) };
        yield return new object[] { "rmsprop", (Func<Optimizer>)(() => new RmsProp(0.01)) };
        yield return new object[] { "rmsprop-centered-momentum", (Func<Optimizer>)(() => new RmsProp(0.01, momentum: 0.5, centered: true, weightDecay: 0.1)) };
        yield return new object[] { "rmsprop-momentum", (Func<Optimizer>)(() => new RmsProp(0.01, momentum: 0.5)) };
        yield return new object[] { "adagrad", (Func<Optimizer>)(() => new Adagrad(0.1, weightDecay: 0.01, initialAccumulatorValue: 0.1)) };
    }

    private static ParameterSet NewSet(CpuBackend backend, int[] lengths) => new(backend,
        lengths.Select((n, i) => new ParameterSpec($"t{i}", new[] { n }, ParameterInit.Constant)).ToArray(), trainable: true);

    /// <summary>A backend whose pool splits every loop it can (no minimum work per thread).</summary>
    private static CpuBackend Eager(int threads)
    {
        var backend = new CpuBackend(threads);
        backend.Pool.MinimumWorkPerPart = 0;
        return backend;
    }

    /// <summary>Three steps with fixed random gradients; returns the values after the last.</summary>
    private static float[] Train(CpuBackend backend, Func<Optimizer> create, int[] lengths, float[] p0, float[][] grads, int offset = 0)
    {
        var set = NewSet(backend, lengths);
        int n = set.Count;
        p0.AsSpan(offset, n).CopyTo(set.Values.View.Span);
        var optimizer = create();
        foreach (var g in grads)
        {
            g.AsSpan(offset, n).CopyTo(set.Gradients!.View.Span);
            optimizer.Step(set);
        }
        return set.Values.View.Span.ToArray();
    }

    private static (float[] P, float[][] G) Problem(int count, int seed)
    {
        var random = new Random(seed);
        float[] Next(double scale) => GradientCheck.ToFloat(GradientCheck.RandomArray(random, count, scale));
        return (Next(2), new[] { Next(1), Next(1), Next(1) });
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Every_rule_gives_the_same_values_for_any_thread_count(string name, Func<Optimizer> create)
    {
        int count = TensorLengths.Sum();
        var (p0, grads) = Problem(count, 3);
        using var one = new CpuBackend(1);
        float[] expected = Train(one, create, TensorLengths, p0, grads);
        foreach (int threads in new[] { 2, 3 })
        {
            using var backend = Eager(threads);
            float[] actual = Train(backend, create, TensorLengths, p0, grads);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name}: {threads} threads differ from one");
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_element_is_updated_as_if_it_were_alone(string name, Func<Optimizer> create)
    {
        // Elements at block edges, in the partial block and in the tail take the same arithmetic as a
        // one-element set (which runs entirely through the tail copy): bitwise equal.
        int count = TensorLengths.Sum();
        var (p0, grads) = Problem(count, 5);
        using var backend = Eager(2);
        float[] all = Train(backend, create, TensorLengths, p0, grads);
        using var single = new CpuBackend(1);
        foreach (int i in new[] { 0, 15, 16, 1023, 1024, 2047, 3071, 3072, 3771, 3772, 3780, count - 1 })
        {
            float[] alone = Train(single, create, new[] { 1 }, p0, grads, offset: i);
            Assert.True(alone[0].Equals(all[i]), $"{name}: element {i} is {all[i]} in the whole set, {alone[0]} alone");
        }
    }

    [Fact]
    public void Sum_of_squares_matches_a_double_sum_and_not_the_thread_count()
    {
        var random = new Random(7);
        using var one = new CpuBackend(1);
        using var three = Eager(3);
        foreach (int n in new[] { 0, 1, 17, 8191, 8192 * 3 + 5, 8192 * 70 + 3 })
        {
            double[] x = GradientCheck.Rounded(GradientCheck.RandomArray(random, n, 3));
            double expected = x.Sum(v => v * v);
            double sequential = one.SumOfSquares(one.Upload(x));
            Assert.True(Math.Abs(sequential - expected) <= 1e-12 * Math.Max(expected, 1), $"n = {n}: {sequential} vs {expected}");
            Assert.Equal(sequential, three.SumOfSquares(three.Upload(x)));
        }
        var bad = new double[20_000];
        bad[19_999] = double.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, three.SumOfSquares(three.Upload(bad)));
        bad[5] = double.NaN;
        Assert.True(double.IsNaN(three.SumOfSquares(three.Upload(bad))));
    }

    [Fact]
    public void A_state_buffer_of_the_wrong_length_is_rejected_by_name_and_changes_nothing()
    {
        using var backend = new CpuBackend(1);
        var p = backend.Upload(new double[] { 1, 2, 3 });
        var g = backend.Upload(new double[] { 0.5, 0.5, 0.5 });
        var update = ParameterUpdate.Adam(0.1, 0.9, 0.999, 1e-8, 0, decoupled: false, step: 1);
        var ex = Assert.Throws<ArgumentException>(() => backend.ApplyUpdate(update, p, g, backend.Zeros(3)));
        Assert.Equal("state", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => backend.ApplyUpdate(update, p, backend.Zeros(2), backend.Zeros(6)));
        Assert.Equal("gradients", ex.ParamName);
        Assert.Equal(new float[] { 1, 2, 3 }, backend.Download(p));
        Assert.Equal(2, update.StateSlots);
    }
}
