using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using DslNet.Package.Tests.Support;
using Xunit;

namespace DslNet.Package.Tests;

/// <summary>
/// The NuGet package end to end: packed from the repository's build, referenced by fresh console
/// projects outside the solution that see nothing but the package.
/// </summary>
public sealed class PackageConsumerTests : IClassFixture<LocalPackageFeed>
{
    private readonly LocalPackageFeed _feed;

    public PackageConsumerTests(LocalPackageFeed feed)
    {
        _feed = feed;
        Assert.True(feed.PackResult.ExitCode == 0 && File.Exists(feed.PackagePath), $"Packing failed:\n{feed.PackResult}");
    }

    // A 4-8-3 classifier: 4·8 + 8 + 8·3 + 3 = 67 parameters.
    private const string TinyNetwork = """
        using DslNet;

        namespace Consumer;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Tiny
        {
            [Input(4)]              public partial Tensor Features { get; }
            [Dense(8), Tanh]        public partial Tensor Hidden { get; }
            [Dense(3)]              public partial Tensor Logits { get; }
        }
        """;

    // Trains a few steps on a fixed batch where the class is the index of the largest feature.
    private const string TrainingProgram = """
        using System.Globalization;
        using DslNet.Training;
        using Consumer;

        var net = new Tiny(maxBatch: 6, seed: 1);
        float[] x =
        {
            1, 0, 0, 0,   0, 1, 0, 0,   0, 0, 1, 0,
            2, 0, 1, 0,   0, 2, 1, 0,   1, 0, 2, 0,
        };
        int[] y = { 0, 1, 2, 0, 1, 2 };
        var optimizer = new Sgd(0.1, momentum: 0.9);
        float first = net.Evaluate(x, y);
        for (int step = 0; step < 40; step++) net.TrainStep(x, y, optimizer);
        float last = net.Evaluate(x, y);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DSLNET-CONSUMER parameters={Tiny.ParameterCount} first={first:R} last={last:R}"));
        """;

    // A 3×3 convolution with stride 3 over 7×7: (7 − 3) / 3 + 1 is not a whole number, so the last
    // input column and row would be silently dropped: DSL0006, an error.
    private const string StrideMistake = """
        using DslNet;

        namespace Consumer;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Broken
        {
            [Input(1, 7, 7)]                            public partial Tensor Image { get; }
            [Conv2D(4, Kernel = 3, Stride = 3), ReLU]   public partial Tensor C1 { get; }
            [Flatten, Dense(10)]                        public partial Tensor Logits { get; }
        }
        """;

    private const string UseBroken = """
        var net = new Consumer.Broken(maxBatch: 1, seed: 0);
        Console.WriteLine(net.Layout.Name);
        """;

    [Fact]
    public void The_package_holds_the_runtime_the_compiler_assemblies_and_the_readme()
    {
        using var zip = ZipFile.OpenRead(_feed.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/DslNet.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/DslNet.Generator.dll", entries);
        Assert.Contains("PackageReadme.md", entries);
        // Every compiler assembly of the repository is in the package.
        foreach (string project in new[] { "DslNet.Analyzers", "DslNet.Analyzers.CodeFixes" })
            if (File.Exists(Path.Combine(RepositoryPaths.Root, "analyzers", project, project + ".csproj")))
                Assert.Contains($"analyzers/dotnet/cs/{project}.dll", entries);
        if (File.Exists(Path.Combine(RepositoryPaths.Root, "docs", "diagnostics.md")))
            Assert.Contains("docs/diagnostics.md", entries);
        // The compiler side is no dependency of the package (it ships inside it).
        string nuspec = new StreamReader(zip.GetEntry("DslNet.nuspec")!.Open()).ReadToEnd();
        Assert.DoesNotContain("DslNet.Generator", nuspec);
        Assert.Contains("<readme>PackageReadme.md</readme>", nuspec);
    }

    [Fact]
    public void A_fresh_console_project_declares_builds_and_trains_a_network_from_the_package()
    {
        using var consumer = new ConsumerProject(_feed, ("Tiny.cs", TinyNetwork), ("Program.cs", TrainingProgram));
        var build = consumer.Build();
        Assert.True(build.ExitCode == 0, $"The consumer did not build:\n{build}");

        var run = consumer.Run();
        Assert.True(run.ExitCode == 0, $"The consumer failed:\n{run}");
        var match = Regex.Match(run.Output, @"DSLNET-CONSUMER parameters=(\d+) first=(\S+) last=(\S+)");
        Assert.True(match.Success, $"Unexpected output:\n{run}");
        Assert.Equal(4 * 8 + 8 + 8 * 3 + 3, int.Parse(match.Groups[1].Value));
        float first = float.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        float last = float.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last < first * 0.5f, $"The loss did not fall: {first} → {last}");
    }

    [Fact]
    public void A_consumer_with_a_stride_that_does_not_tile_fails_to_build_with_the_DSL_diagnostic()
    {
        using var consumer = new ConsumerProject(_feed, ("Broken.cs", StrideMistake), ("Program.cs", UseBroken));
        var build = consumer.Build();
        Assert.True(build.ExitCode != 0, $"The consumer built although its network is invalid:\n{build}");
        // Reported by the packaged analyzer, as an error, at the offending argument (the stride's value).
        string[] lines = StrideMistake.Split('\n');
        int line = Array.FindIndex(lines, l => l.Contains("Stride = 3"));
        int column = lines[line].IndexOf("Stride = 3", StringComparison.Ordinal) + "Stride = ".Length;
        string expected = $"Broken.cs({line + 1},{column + 1}): error DSL0006";
        Assert.True(build.Output.Contains(expected), $"No '{expected}' in the build output:\n{build}");
        // The generator's stub for an invalid network keeps the partial declarations complete:
        // no missing-implementation noise (CS9248) hides the real error.
        Assert.False(build.Output.Contains("CS9248"), $"CS9248 in the output:\n{build}");
    }
}
