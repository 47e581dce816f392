using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Tests.Support;
using Xunit;

namespace DslNet.Tests.Kernels;

/// <summary>
/// Conv2DBackward with overwriteInputGradient: dx must be exactly what the adding backward leaves in a
/// zeroed dx (that path is checked against naive double loops in its own classes), whatever dx held
/// before — garbage and NaN included — on every path the dispatch can take (Winograd, direct, im2col),
/// while the parameter gradients still add.
/// </summary>
public class ConvolutionOverwriteTests
{
    /// <summary>Geometries that take each path (checked in the test), with a batch each.</summary>
    private static readonly (string Name, int Batch, Conv2DGeometry G)[] Geometries =
    {
        // 3×3 stride 1, ≥ 32 channels, ≥ 16 samples: Winograd; 9×9 leaves a partial last tile row and column.
        ("winograd 32->32 3x3 pad 1 on 9x9", 17, new(32, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 9, 9)),
        // W3's conv2 at a smaller batch: the whole-image band.
        ("winograd 32->64 3x3 pad 1 on 28x28", 16, new(32, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28)),
        // LeNet's C3: the direct kernels.
        ("direct 6->16 5x5 on 14x14", 3, new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 10, 10)),
        // Stride 2: the im2col path.
        ("im2col 3->5 3x3 stride 2 pad 1 on 7x7", 2, new(3, 7, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4)),
    };

    public static IEnumerable<object[]> Cases =>
        from index in Enumerable.Range(0, Geometries.Length)
        from threads in new[] { 1, 2 }
        from activation in new[] { ActivationKind.Identity, ActivationKind.ReLU }
        select new object[] { Geometries[index].Name, threads, activation };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Overwriting_gives_the_adding_result_on_zeros_whatever_dx_held(string name, int threads, ActivationKind activation)
    {
        var (_, batch, g) = Geometries.Single(c => c.Name == name);
        var random = new Random(name.Length * 31 + threads * 7 + (int)activation);
        using var backend = CpuTensors.NewCpu(threads);
        backend.Pool.MinimumWorkPerPart = 0;
        var x = backend.Upload(Uniform(random, batch * g.InputSize));
        var weight = backend.Upload(Uniform(random, g.WeightCount));
        var y = backend.Upload(Uniform(random, batch * g.OutputSize)); // only its sign matters (ReLU)
        var dy = backend.Upload(Uniform(random, batch * g.OutputSize));
        double[] start = Uniform(random, g.WeightCount), startBias = Uniform(random, g.OutChannels);

        var addedDx = backend.Zeros(batch * g.InputSize);
        var addedDw = backend.Upload(start);
        var addedDb = backend.Upload(startBias);
        backend.Conv2DBackward(g, batch, x, weight, activation, 0f, y, dy, addedDx, addedDw, addedDb, overwriteInputGradient: false);

        double[] garbage = Enumerable.Range(0, batch * g.InputSize)
            .Select(i => i % 7 == 0 ? double.NaN : random.Next(-1000, 1000) * 0.5).ToArray();
        var dx = backend.Upload(garbage);
        var dw = backend.Upload(start);
        var db = backend.Upload(startBias);
        backend.Conv2DBackward(g, batch, x, weight, activation, 0f, y, dy, dx, dw, db, overwriteInputGradient: true);

        Assert.Equal(backend.Download(addedDx), backend.Download(dx));
        // The parameter gradients still add onto what they held.
        Assert.Equal(backend.Download(addedDw), backend.Download(dw));
        Assert.Equal(backend.Download(addedDb), backend.Download(db));
    }

    [Fact]
    public void The_geometries_take_the_paths_they_are_named_for()
    {
        foreach (var (name, batch, g) in Geometries)
        {
            bool winograd = WinogradConvolution.Prefers(g, batch), direct = !winograd && DirectConvolution.Supports(g);
            string path = winograd ? "winograd" : direct ? "direct" : "im2col";
            if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) path = "im2col";
            Assert.StartsWith(path, name);
        }
    }

    private static double[] Uniform(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
}
