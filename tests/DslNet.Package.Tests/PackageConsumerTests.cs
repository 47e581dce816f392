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

    // Trains a few epochs with the Trainer on samples whose class is the index of the largest feature.
    private const string TrainingProgram = """
        using System.Globalization;
        using DslNet.Data;
        using DslNet.Training;
        using Consumer;

        var random = new Random(1);
        var x = new float[60 * 4];
        var y = new int[60];
        for (int i = 0; i < 60; i++)
        {
            y[i] = i % 3;
            for (int f = 0; f < 4; f++) x[i * 4 + f] = (float)random.NextDouble() + (f == y[i] ? 1.5f : 0f);
        }
        var net = new Tiny(maxBatch: 10, seed: 1);
        var trainer = new Trainer(net, new Sgd(0.1, momentum: 0.9), new TrainerOptions { Epochs = 15, BatchSize = 10 });
        var result = trainer.Fit(new Dataset(x, y, [4], 3));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DSLNET-CONSUMER parameters={Tiny.ParameterCount} first={result.History[0].Loss:R} last={result.History[^1].Loss:R} epochs={result.History.Count}"));
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
        Assert.Contains("epochs=15", run.Output);
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
