using System.Linq;
using DslNet.Generator.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslNet.Generator.Tests;

/// <summary>The generator reuses its cached work when an edit does not change a network.</summary>
public class IncrementalTests
{
    private static GeneratorRunResult RunTwice(string network, string other, string editedOther, string? editedNetwork = null)
    {
        var compilation = GeneratorHarness.Compile(network, other);
        var driver = GeneratorHarness.NewDriver().RunGenerators(compilation);
        var trees = compilation.SyntaxTrees.ToArray();
        var edited = compilation
            .ReplaceSyntaxTree(trees[1], CSharpSyntaxTree.ParseText(editedOther, GeneratorHarness.ParseOptions, path: trees[1].FilePath));
        if (editedNetwork is not null)
            edited = edited.ReplaceSyntaxTree(edited.SyntaxTrees.First(), CSharpSyntaxTree.ParseText(editedNetwork, GeneratorHarness.ParseOptions, path: trees[0].FilePath));
        return driver.RunGenerators(edited).GetRunResult().Results.Single();
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void An_edit_to_an_unrelated_file_reuses_the_model_plan_and_source()
    {
        var result = RunTwice(TestNetworks.LeNet5, "class Other { }", "class Other { int X; }");

        // Roslyn may re-run the attribute transform after any compilation change (symbols can differ);
        // the model it builds is value-equal, so everything after it comes from the cache.
        Assert.All(Reasons(result, NetworkGenerator.Steps.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(result, NetworkGenerator.Steps.Plan), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_comment_in_the_network_file_re_reads_the_model_but_finds_it_unchanged()
    {
        var result = RunTwice(TestNetworks.LeNet5, "class Other { }", "class Other { }", "// a comment\n" + TestNetworks.LeNet5);

        // The file changed, so the model is recomputed; it is value-equal, so nothing after it runs.
        Assert.All(Reasons(result, NetworkGenerator.Steps.Model), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(Reasons(result, NetworkGenerator.Steps.Plan), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Changing_a_layer_reruns_the_plan()
    {
        var result = RunTwice(TestNetworks.LeNet5, "class Other { }", "class Other { }", TestNetworks.LeNet5.Replace("Dense(84)", "Dense(80)"));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetworkGenerator.Steps.Model));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetworkGenerator.Steps.Plan));
    }
}
