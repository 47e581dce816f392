using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DslNet.Analyzers.CodeFixes;
using DslNet.Analyzers.Tests.Corpus;
using DslNet.Analyzers.Tests.Support;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace DslNet.Analyzers.Tests.CodeFixes;

/// <summary>
/// Every code fix offered anywhere in the invalid corpus repairs what it claims to: after applying it, the
/// diagnostic it was offered for is gone (one fewer of that id) and no other DSL diagnostic appeared.
/// </summary>
public class CorpusCodeFixTests
{
    private static readonly CodeFixProvider[] Providers = typeof(MakePartialCodeFix).Assembly.GetTypes()
        .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToArray();

    [Fact]
    public async Task Every_fix_offered_on_the_invalid_corpus_removes_its_diagnostic_and_adds_none()
    {
        var problems = new List<string>();
        int applied = 0;
        foreach (string name in CorpusSources.Names("Invalid"))
        {
            var (source, _) = Markup.Parse(CorpusSources.Read("Invalid", name));
            var (document, diagnostics) = await CodeFixHarness.OpenAsync(source);
            var before = Counts(diagnostics.Select(d => d.Id));
            foreach (var diagnostic in diagnostics)
                foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                    foreach (var action in await CodeFixHarness.ActionsAsync(document, diagnostic, provider))
                    {
                        applied++;
                        string fixedSource = await CodeFixHarness.ApplyAsync(document, action);
                        var after = Counts(AnalyzerHarness.Analyze(fixedSource).Dsl.Select(d => d.Id));
                        bool removed = after.GetValueOrDefault(diagnostic.Id) < before[diagnostic.Id];
                        var added = after.Where(a => a.Value > before.GetValueOrDefault(a.Key)).Select(a => a.Key).ToList();
                        if (!removed || added.Count > 0)
                            problems.Add($"{name}: '{action.Title}' for {diagnostic.Id}" + (removed ? "" : " left it") + (added.Count > 0 ? $" added {string.Join(", ", added)}" : ""));
                    }
        }
        Assert.True(applied >= 15, $"only {applied} fixes were offered on the invalid corpus");
        Assert.True(problems.Count == 0, $"{problems.Count} of {applied} fixes misbehaved:\n" + string.Join("\n", problems));
    }

    private static Dictionary<string, int> Counts(IEnumerable<string> ids) => ids.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
}
