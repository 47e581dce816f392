using System.Linq;
using DslNet.Generator.Tests.Support;
using Xunit;

namespace DslNet.Generator.Tests;

/// <summary>The emitter's output for representative networks, against checked-in baselines.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("Mlp", TestNetworks.Mlp)]
    [InlineData("LeNet5", TestNetworks.LeNet5)]
    [InlineData("ResidualBlock", TestNetworks.Residual)]
    [InlineData("Inception", TestNetworks.Concat)]
    public void Generated_source_matches_the_baseline_and_compiles(string name, string source)
    {
        var run = GeneratorHarness.RunGenerator(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors.Select(e => e.ToString()));
        Snapshot.Match(name, run.Source($"Demo.{name}.g.cs"));
    }

    [Fact]
    public void Snapshot_diff_shows_the_changed_lines()
    {
        string diff = Snapshot.Diff("a\nb\nc\nd", "a\nb\nX\nd");
        Assert.Contains("- 3: c", diff);
        Assert.Contains("+ 3: X", diff);
        Assert.DoesNotContain("- 4", diff);
    }
}
