using System.Linq;
using System.Text.RegularExpressions;
using DslNet.Analyzers.Tests.Support;
using Xunit;

namespace DslNet.Analyzers.Tests.Corpus;

/// <summary>
/// Every invalid corpus network produces exactly the diagnostics its markup names — the same ids at the
/// same spans, nothing more — while the generator stays silent and no analyzer throws. Compiler errors
/// are allowed only when the source names them in a "// Compiler: CS…" line (a class that is not
/// partial cannot hold partial nodes, whatever DslNet does).
/// </summary>
public class InvalidCorpusTests
{
    [Fact]
    public void The_corpus_has_at_least_60_invalid_networks() =>
        Assert.True(CorpusSources.Names("Invalid").Count >= 60, $"only {CorpusSources.Names("Invalid").Count} invalid networks");

    [Theory]
    [MemberData(nameof(CorpusSources.Invalid), MemberType = typeof(CorpusSources))]
    public void Produces_exactly_the_marked_diagnostics(string name)
    {
        var (source, expected) = Markup.Parse(CorpusSources.Read("Invalid", name));
        Assert.NotEmpty(expected);
        var run = AnalyzerHarness.Analyze(source);

        Assert.True(run.AnalyzerExceptions.Count == 0, "analyzer threw: " + string.Join("\n", run.AnalyzerExceptions));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "generator reported: " + string.Join("\n", run.GeneratorDiagnostics.Select(AnalyzerHarness.Describe)));

        var allowed = Regex.Match(source, @"^// Compiler: (.*)$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value.Split(',').Select(s => s.Trim()).ToHashSet()
            : new System.Collections.Generic.HashSet<string>();
        var unexpectedErrors = run.CompilerErrors.Where(e => !allowed.Contains(e.Id)).ToList();
        Assert.True(unexpectedErrors.Count == 0, "compiler errors:\n" + string.Join("\n", unexpectedErrors.Select(AnalyzerHarness.Describe)));

        string Text(int start, int length) => source.Substring(start, length);
        var want = expected.Select(e => $"{e.Id} [{e.Span.Start}..{e.Span.End}) '{e.Text}'").OrderBy(s => s, System.StringComparer.Ordinal).ToList();
        var got = run.Dsl.Select(d => $"{d.Id} [{d.Location.SourceSpan.Start}..{d.Location.SourceSpan.End}) '{Text(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}'")
            .OrderBy(s => s, System.StringComparer.Ordinal).ToList();
        Assert.True(want.SequenceEqual(got),
            $"expected:\n  {string.Join("\n  ", want)}\nactual:\n  {string.Join("\n  ", got)}\nmessages:\n  {string.Join("\n  ", run.Dsl.Select(AnalyzerHarness.Describe))}");
    }
}
