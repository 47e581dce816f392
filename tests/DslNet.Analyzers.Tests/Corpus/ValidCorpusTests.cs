using System.Linq;
using System.Text.RegularExpressions;
using DslNet.Analyzers.Tests.Support;
using Xunit;

namespace DslNet.Analyzers.Tests.Corpus;

/// <summary>
/// Every valid corpus network produces no diagnostic at all (no DSL error, warning or info, nothing from
/// the generator, no analyzer exception), gets its full generated half (not the error stub), and the
/// generated code compiles without errors.
/// </summary>
public class ValidCorpusTests
{
    [Fact]
    public void The_corpus_has_at_least_40_valid_networks() =>
        Assert.True(CorpusSources.Names("Valid").Count >= 40, $"only {CorpusSources.Names("Valid").Count} valid networks");

    [Theory]
    [MemberData(nameof(CorpusSources.Valid), MemberType = typeof(CorpusSources))]
    public void Produces_no_diagnostic_and_compiles(string name)
    {
        string source = CorpusSources.Read("Valid", name);
        var run = AnalyzerHarness.Analyze(source);

        Assert.True(run.AnalyzerExceptions.Count == 0, "analyzer threw: " + string.Join("\n", run.AnalyzerExceptions));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "generator reported: " + string.Join("\n", run.GeneratorDiagnostics.Select(AnalyzerHarness.Describe)));
        Assert.True(run.Dsl.IsEmpty, "DSL diagnostics on a valid network:\n" + string.Join("\n", run.Dsl.Select(AnalyzerHarness.Describe)));
        Assert.True(run.CompilerErrors.IsEmpty, "the generated code does not compile:\n" + string.Join("\n", run.CompilerErrors.Select(AnalyzerHarness.Describe)));

        // One full generated half per [Network] class: a network has its ParameterCount constant, the error stub has not.
        int networks = Regex.Matches(source, @"\[(DslNet\.)?Network(Attribute)?[\]\(]").Count;
        Assert.Equal(networks, run.GeneratedSources.Count);
        Assert.All(run.GeneratedSources, g => Assert.Contains("public const int ParameterCount", g.Text));
    }
}
