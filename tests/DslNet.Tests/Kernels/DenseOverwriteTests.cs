using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// DenseBackward with overwriteInputGradient / overwriteParameterGradients: each overwritten gradient
/// must be exactly what the adding backward leaves in a zeroed buffer (that path is checked against
/// naive loops and finite differences in DenseKernelTests), whatever the buffer held before — garbage
/// and NaN included — on every GEMM path the three products can take, while a gradient whose flag is
/// off still adds onto what it held.
/// </summary>
public class DenseOverwriteTests
{
    /// <summary>Shapes (rows = batch, RowsPerSample 1) whose products take the paths they are named for (checked below).</summary>
    private static readonly (string Name, int Rows, int In, int Out)[] Shapes =
    {
        // dx: 3 rows (fewer than a register tile).
        ("few rows", 3, 17, 63),
        // All three products on the five loops (too small for the short-depth path).
        ("blocked", 65, 257, 63),
        // dx = dz·W and dW = dzᵀ·x both short-depth (k ≤ KC, m ≤ MC, B ≥ 1 MiB), as W3's dense layer.
        ("short depth", 65, 4100, 65),
        // dx = dz·W with 2,049-deep rows and 100 columns: the long-depth path.
        ("long depth", 9, 100, 2049),
    };

    public static IEnumerable<object[]> Cases =>
        from shape in Shapes.Select(s => s.Name)
        from threads in new[] { 1, 2 }
        from activation in new[] { ActivationKind.Identity, ActivationKind.ReLU }
        from flags in new[] { (true, true), (true, false), (false, true) }
        select new object[] { shape, threads, activation, flags.Item1, flags.Item2 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Overwriting_gives_the_adding_result_on_zeros_whatever_the_gradients_held(string name, int threads, ActivationKind activation,
        bool overwriteInput, bool overwriteParameters)
    {
        var (_, rows, inF, outF) = Shapes.Single(s => s.Name == name);
        var g = new DenseGeometry(inF, outF, 1);
        var random = new Random(name.Length * 31 + threads * 7 + (int)activation + (overwriteInput ? 100 : 0) + (overwriteParameters ? 200 : 0));
        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0;
        var x = backend.Upload(Uniform(random, rows * inF));
        var weight = backend.Upload(Uniform(random, g.WeightCount));
        var y = backend.Upload(Uniform(random, rows * outF)); // only its sign matters (ReLU)
        var dy = backend.Upload(Uniform(random, rows * outF));
        double[] startDx = Uniform(random, rows * inF), startDw = Uniform(random, g.WeightCount), startDb = Uniform(random, outF);

        // The reference: the adding backward into zeros where the other call overwrites, onto the start values elsewhere.
        var addedDx = overwriteInput ? backend.Zeros(rows * inF) : backend.Upload(startDx);
        var addedDw = overwriteParameters ? backend.Zeros(g.WeightCount) : backend.Upload(startDw);
        var addedDb = overwriteParameters ? backend.Zeros(outF) : backend.Upload(startDb);
        backend.DenseBackward(g, rows, x, weight, activation, 0f, y, dy, addedDx, addedDw, addedDb);

        var dx = backend.Upload(overwriteInput ? Garbage(random, rows * inF) : startDx);
        var dw = backend.Upload(overwriteParameters ? Garbage(random, g.WeightCount) : startDw);
        var db = backend.Upload(overwriteParameters ? Garbage(random, outF) : startDb);
        backend.DenseBackward(g, rows, x, weight, activation, 0f, y, dy, dx, dw, db, overwriteInput, overwriteParameters);

        Assert.Equal(backend.Download(addedDx), backend.Download(dx));
        Assert.Equal(backend.Download(addedDw), backend.Download(dw));
        Assert.Equal(backend.Download(addedDb), backend.Download(db));
        Assert.All(backend.Download(dw), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_shapes_take_the_paths_they_are_named_for()
    {
        foreach (var (name, rows, inF, outF) in Shapes)
        {
            // dx [rows, In] = dz [rows, Out] · W [Out, In]; dW [Out, In] = dzᵀ · x [rows, In].
            bool dxFew = Gemm.IsFewRows(rows, inF, transposeB: false);
            bool dxLong = !dxFew && Gemm.IsLongDepth(false, rows, inF, outF);
            bool dxShort = !dxFew && !dxLong && Gemm.IsShortDepth(rows, inF, outF);
            bool dwShort = !Gemm.IsFewRows(outF, inF, false) && Gemm.IsShortDepth(outF, inF, rows);
            switch (name)
            {
                case "few rows": Assert.True(dxFew, name); break;
                case "blocked": Assert.False(dxFew || dxLong || dxShort || dwShort, name); break;
                case "short depth": Assert.True(dxShort && dwShort, name); break;
                case "long depth":
                    // The long-depth kernel needs AVX-512; elsewhere the shape runs on the five loops.
                    Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, dxLong);
                    break;
            }
        }
    }

    [Fact]
    public void With_no_rows_overwritten_parameter_gradients_become_zero_and_added_ones_stay()
    {
        var g = new DenseGeometry(5, 3, 1);
        using var backend = CpuTensors.NewCpu();
        var empty = backend.Zeros(0);
        var weight = backend.Upload(Enumerable.Repeat(1.0, g.WeightCount).ToArray());
        var dw = backend.Upload(Enumerable.Repeat(double.NaN, g.WeightCount).ToArray());
        var db = backend.Upload(new[] { double.NaN, 7, -2 });
        backend.DenseBackward(g, 0, empty, weight, ActivationKind.Identity, 0f, empty, empty, empty, dw, db,
            overwriteInputGradient: true, overwriteParameterGradients: true);
        Assert.All(backend.Download(dw), v => Assert.Equal(0f, v));
        Assert.All(backend.Download(db), v => Assert.Equal(0f, v));

        var kept = backend.Upload(new[] { 1.0, 2, 3 });
        backend.DenseBackward(g, 0, empty, weight, ActivationKind.Identity, 0f, empty, empty, empty, BufferView.Empty, kept,
            overwriteInputGradient: true, overwriteParameterGradients: false);
        Assert.Equal(new[] { 1f, 2f, 3f }, backend.Download(kept));
    }

    private static double[] Uniform(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();

    /// <summary>What a buffer might hold from an earlier step: large values, infinities and NaN.</summary>
    private static double[] Garbage(Random random, int length) =>
        Enumerable.Range(0, length).Select(i => i % 7 == 0 ? double.NaN : i % 11 == 0 ? double.PositiveInfinity : random.Next(-1000, 1000) * 0.5).ToArray();
}
