using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DslNet.IO;
using DslNet.Training;
using Xunit.Sdk;

namespace DslNet.Tests.Parity;

/// <summary>
/// One PyTorch parity fixture (tests/fixtures/parity/&lt;case&gt;.safetensors, written by
/// tests/fixtures/make_fixtures.py): expected values computed by PyTorch in float64, whole or, for
/// big tensors, as a sample of SAMPLE evenly spread elements plus [Σx, Σx²].
/// </summary>
public sealed class Fixture
{
    private readonly SafeTensorsFile _file;

    private Fixture(string name, SafeTensorsFile file)
    {
        Name = name;
        _file = file;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    public static string Folder => Path.Combine(RepositoryRoot(), "tests", "fixtures", "parity");

    public static Fixture Load(string name)
    {
        string path = Path.Combine(Folder, name + ".safetensors");
        if (!File.Exists(path))
            throw new XunitException($"Parity fixture '{path}' is missing: run /usr/bin/python3 tests/fixtures/make_fixtures.py.");
        return new Fixture(name, SafeTensors.Read(path));
    }

    /// <summary>The folder holding DslNet.sln, found upwards from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DslNet.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No DslNet.sln above {AppContext.BaseDirectory}.");
    }

    public bool Has(string key) => _file.Contains(key) || _file.Contains(key + "#sample");

    /// <summary>A tensor stored whole.</summary>
    public float[] Full(string key) =>
        _file.Contains(key) ? _file.ReadFloats(key) : throw new XunitException($"{Name}: fixture has no whole tensor '{key}'.");

    public int[] Labels(string key) => Array.ConvertAll(Full(key), v => (int)v);

    public float Scalar(string key) => Full(key)[0];

    /// <summary>
    /// Puts the fixture's initial parameters and state into <paramref name="net"/>: stored tensors
    /// as they are, the others regenerated from their "gen/" metadata (and checked against the
    /// stored sample). Every param/ and state/ tensor of the fixture must be one of the network's,
    /// under the same name: this is the naming rule of docs/pytorch.md at work.
    /// </summary>
    public void LoadInitial(Network net)
    {
        LoadSet(net.Parameters, "param/");
        LoadSet(net.State, "state/");
    }

    private void LoadSet(ParameterSet set, string prefix)
    {
        var expected = new HashSet<string>(set.Specs.Select(s => s.Name));
        var inFixture = _file.Tensors.Select(t => t.Name.Split('#')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => n.Substring(prefix.Length)).ToHashSet();
        if (!inFixture.SetEquals(expected))
            throw new XunitException($"{Name}: PyTorch's {prefix} tensors [{string.Join(", ", inFixture.OrderBy(n => n))}] " +
                $"are not DslNet's [{string.Join(", ", expected.OrderBy(n => n))}].");
        for (int i = 0; i < set.Specs.Count; i++)
        {
            var spec = set.Specs[i];
            string key = prefix + spec.Name;
            float[] values;
            if (_file.Contains(key))
            {
                values = _file.ReadFloats(key);
            }
            else
            {
                string[] gen = Metadata["gen/" + spec.Name].Split(' ');
                values = new float[spec.Length];
                FixtureRandom.Fill(Name + "/" + spec.Name, values, Parse(gen[0]), Parse(gen[1]));
                AssertClose(key, values, 1e-7); // the generator reproduces PyTorch's values (the sums are stored rounded to float32)
            }
            if (values.Length != spec.Length)
                throw new XunitException($"{Name}: '{key}' has {values.Length} values, DslNet's {spec.ShapeText} {spec.Length}.");
            set.Backend.CopyFromHost(values, set.Value(i));
        }
    }

    private static float Parse(string text) => (float)double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>
    /// Asserts <paramref name="actual"/> matches tensor <paramref name="key"/>:
    /// |a − e| ≤ rtol·(|e| + max|e|) element-wise (relative to the element, plus the same fraction of the
    /// tensor's scale, so values near zero are not held to an impossible relative bound). For a
    /// sampled tensor the sampled elements are checked so, and the sums: |Σa − Σe| ≤ rtol·(|Σe| + √(n·Σe²)),
    /// |Σa² − Σe²| ≤ 4·rtol·Σe².
    /// </summary>
    public void AssertClose(string key, float[] actual, double rtol)
    {
        if (_file.Contains(key))
        {
            var expected = _file.ReadFloats(key);
            if (expected.Length != actual.Length)
                throw new XunitException($"{Name}: '{key}' has {actual.Length} values, PyTorch {expected.Length}.");
            Compare($"{Name}: '{key}'", expected, i => actual[i], Enumerable.Range(0, expected.Length).ToArray(), rtol);
            return;
        }
        if (!_file.Contains(key + "#sample"))
            throw new XunitException($"{Name}: fixture has no tensor '{key}'.");
        var sample = _file.ReadFloats(key + "#sample");
        var stats = _file.ReadFloats(key + "#stats");
        int n = actual.Length;
        int count = int.Parse(Metadata["sample"], CultureInfo.InvariantCulture);
        long shapeCount = Metadata["shape/" + key].Split(' ').Aggregate(1L, (a, d) => a * long.Parse(d, CultureInfo.InvariantCulture));
        if (shapeCount != n) throw new XunitException($"{Name}: '{key}' has {n} values, PyTorch {shapeCount}.");
        var positions = Enumerable.Range(0, count).Select(k => (int)((long)k * n / count)).ToArray();
        Compare($"{Name}: '{key}'", sample, j => actual[positions[j]], positions, rtol);
        double sum = 0, squares = 0;
        foreach (float v in actual) { sum += v; squares += (double)v * v; }
        double sumBound = rtol * (Math.Abs(stats[0]) + Math.Sqrt(n * (double)stats[1]));
        if (Math.Abs(sum - stats[0]) > sumBound || Math.Abs(squares - stats[1]) > 4 * rtol * stats[1])
            throw new XunitException($"{Name}: '{key}' sums differ: DslNet Σ = {sum:G9}, Σ² = {squares:G9}; PyTorch Σ = {stats[0]:G9}, Σ² = {stats[1]:G9}.");
    }

    /// <summary>The element-wise rule of <see cref="AssertClose(string, float[], double)"/> for two whole tensors.</summary>
    public static void AssertClose(string label, float[] expected, float[] actual, double rtol)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{label}: {actual.Length} values in DslNet, {expected.Length} in PyTorch.");
        Compare(label, expected, i => actual[i], Enumerable.Range(0, expected.Length).ToArray(), rtol);
    }

    private static void Compare(string label, float[] expected, Func<int, float> actual, int[] positions, double rtol)
    {
        double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        for (int j = 0; j < expected.Length; j++)
        {
            double e = expected[j], a = actual(j);
            if (!(Math.Abs(a - e) <= rtol * (Math.Abs(e) + scale)))
                throw new XunitException(
                    $"{label}[{positions[j]}] is {a:G9} in DslNet but {e:G9} in PyTorch (tolerance {rtol:G2} relative; tensor scale {scale:G4}).");
        }
    }
}
