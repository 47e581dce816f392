using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>The catalogue, the descriptors, the release-tracking file, the docs and the tests tell one story.</summary>
public class CatalogueTests
{
    [Fact]
    public void Every_catalogue_entry_has_a_descriptor_with_the_same_id_title_format_severity_and_help_link()
    {
        var catalogue = DiagnosticCatalog.All.OrderBy(i => i.Id).ToList();
        Assert.Equal(catalogue.Select(i => i.Id), DslDescriptors.All.Select(d => d.Id).OrderBy(id => id));
        foreach (var info in catalogue)
        {
            var descriptor = DslDescriptors.ById[info.Id];
            Assert.Equal(info.Title, descriptor.Title.ToString());
            Assert.Equal(info.MessageFormat, descriptor.MessageFormat.ToString());
            Assert.Equal(info.Severity switch { Severity.Error => DiagnosticSeverity.Error, Severity.Warning => DiagnosticSeverity.Warning, _ => DiagnosticSeverity.Info },
                descriptor.DefaultSeverity);
            Assert.Equal("DslNet", descriptor.Category);
            Assert.Equal($"https://github.com/dslnet/dslnet/blob/main/docs/diagnostics.md#{info.Id.ToLowerInvariant()}", descriptor.HelpLinkUri);
            Assert.Matches("^DSL[0-9]{4}$", info.Id);
        }
        Assert.Equal(DslDescriptors.All.OrderBy(d => d.Id).ToArray(), new NetworkAnalyzer().SupportedDiagnostics.OrderBy(d => d.Id).ToArray());
    }

    [Fact]
    public void The_unshipped_release_file_lists_every_rule_with_its_category_and_severity()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Releases", "AnalyzerReleases.Unshipped.md"));
        var rows = Regex.Matches(text, @"^(DSL\d{4}) \| (\w+) \| (\w+) \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => (Category: m.Groups[2].Value, Severity: m.Groups[3].Value));
        Assert.Equal(DiagnosticCatalog.All.Select(i => i.Id).OrderBy(id => id), rows.Keys.OrderBy(id => id));
        foreach (var info in DiagnosticCatalog.All)
            Assert.Equal(("DslNet", info.Severity.ToString()), rows[info.Id]);
    }

    [Fact]
    public void Every_rule_has_a_section_in_the_docs_with_a_wrong_and_a_corrected_example()
    {
        string docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Docs", "diagnostics.md"));
        foreach (var info in DiagnosticCatalog.All)
        {
            // GitHub's anchor for "## DSL0006: ..." is "#dsl0006-..."; an explicit <a id> makes "#dsl0006" exact.
            int start = docs.IndexOf($"<a id=\"{info.Id.ToLowerInvariant()}\"></a>", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/diagnostics.md has no anchor for {info.Id}");
            int end = docs.IndexOf("<a id=\"dsl", start + 10, StringComparison.Ordinal);
            string section = end < 0 ? docs.Substring(start) : docs.Substring(start, end - start);
            Assert.Contains($"## {info.Id}: {info.Title}", section);
            Assert.Contains($"**Severity:** {info.Severity}", section);
            if (info.Id != DiagnosticCatalog.AnalyzerFailure)
            {
                Assert.Contains("Wrong:", section);
                Assert.Contains("Corrected:", section);
            }
        }
    }

    [Fact]
    public void Every_rule_has_a_test_named_after_it()
    {
        var tested = typeof(CatalogueTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
            .Select(m => Regex.Match(m.Name, @"^DSL\d{4}").Value)
            .Where(id => id.Length > 0)
            .ToHashSet();
        var missing = DiagnosticCatalog.All.Select(i => i.Id).Where(id => !tested.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "rules without a test: " + string.Join(", ", missing));
    }
}
