using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace DslNet.Analyzers.Tests.Corpus;

/// <summary>
/// The corpus networks: one source per file under Corpus/Valid and Corpus/Invalid, embedded in the test
/// assembly as text (never compiled into it). Invalid sources mark each expected diagnostic with
/// <c>{|DSLnnnn:text|}</c>. Theories take the file name; <see cref="Read"/> gives the text.
/// </summary>
public static class CorpusSources
{
    private static readonly Assembly Assembly = typeof(CorpusSources).Assembly;

    public static IReadOnlyList<string> Names(string folder) =>
        Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith($"Corpus/{folder}/", System.StringComparison.Ordinal))
            .Select(n => n.Substring($"Corpus/{folder}/".Length))
            .OrderBy(n => n, System.StringComparer.Ordinal)
            .ToList();

    public static string Read(string folder, string name)
    {
        using var stream = Assembly.GetManifestResourceStream($"Corpus/{folder}/{name}")
            ?? throw new FileNotFoundException($"No corpus source Corpus/{folder}/{name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }

    public static TheoryData<string> Valid => ToTheory(Names("Valid"));

    public static TheoryData<string> Invalid => ToTheory(Names("Invalid"));

    private static TheoryData<string> ToTheory(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (string name in names) data.Add(name);
        return data;
    }
}
