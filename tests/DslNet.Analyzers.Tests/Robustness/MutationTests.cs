using System.Linq;
using DslNet.Analyzers.Tests.Corpus;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace DslNet.Analyzers.Tests.Robustness;

/// <summary>
/// Neither the generator nor the analyzers throw, on any text: valid corpus networks are mutated the
/// way half-typed code looks (a token deleted or doubled, the file cut off anywhere, numbers swapped
/// for 0, -1, int.MaxValue and int.MinValue, nameof pointing elsewhere) and every result is run through
/// both (see <see cref="ToolchainProbe"/>).
/// </summary>
public class MutationTests
{
    private static readonly string[] Names = CorpusSources.Names("Valid").ToArray();

    private static Gen<Mutation> Mutations =>
        from name in Gen.Elements(Names)
        from kind in Gen.Elements(System.Enum.GetValues<MutationKind>())
        from position in Gen.Choose(0, 100_000)
        from choice in Gen.Choose(0, 1_000)
        select new Mutation(name, kind, position, choice);

    [Fact]
    public void Random_mutations_of_valid_networks_never_make_them_throw() =>
        Prop.ForAll(Arb.From(Mutations), mutation =>
        {
            string source = mutation.Apply(CorpusSources.Read("Valid", mutation.Source));
            string? failure = ToolchainProbe.Failure(source);
            return Prop.Label(failure is null, $"{mutation}\n{failure}\n--- source ---\n{source}");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1200));

    /// <summary>
    /// Every position of the smallest network, and every 29th of every other one (about 1,500 cases),
    /// probed on all cores: each probe has its own compilation and driver.
    /// </summary>
    [Fact]
    public void Truncating_anywhere_never_makes_them_throw()
    {
        var ordered = Names.OrderBy(n => CorpusSources.Read("Valid", n).Length).ToList();
        var cases = ordered.SelectMany(name =>
        {
            string text = CorpusSources.Read("Valid", name);
            int step = name == ordered[0] ? 1 : 29;
            return Enumerable.Range(0, text.Length / step + 1).Select(i => (Name: name, Text: text, At: i * step));
        }).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.ForEach(cases, c =>
        {
            if (ToolchainProbe.Failure(c.Text.Substring(0, c.At)) is { } failure)
                failures.Add($"{c.Name} cut at {c.At}: {failure}");
        });
        Assert.True(cases.Count >= 1400, $"only {cases.Count} truncations");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} truncations failed:\n" + string.Join("\n\n", failures.Take(5)));
    }
}
