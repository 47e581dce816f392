using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using AnalyzerBench;
using DslNet.Analyzers;
using DslNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

// DslNet analyzer/generator benchmark: how long the IDE waits for the generator and the analyzers on a
// 200-node network, from scratch and after edits. Usage: AnalyzerBench [--nodes N] [--runs N] [--warmup N]
int nodes = Option("--nodes", 200), runs = Option("--runs", 15), warmup = Option("--warmup", 5);

var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
    .Append(typeof(DslNet.Network).Assembly.Location)
    .Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
// One compilation holds the parsed references; every scenario derives its compilations from it, as an IDE does.
var empty = CSharpCompilation.Create("Bench", null, references,
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

string network = NetworkSource.Build(nodes);
const string other = "namespace Bench;\n\npublic static class Helpers\n{\n    public static int Twice(int x) => 2 * x;\n}\n";
var networkTree = CSharpSyntaxTree.ParseText(network, parseOptions, path: "Big.cs");
var otherTree = CSharpSyntaxTree.ParseText(other, parseOptions, path: "Helpers.cs");
CSharpCompilation Fresh() => empty.AddSyntaxTrees(networkTree, otherTree);

// The edits: one attribute argument of the network, and a new member in the other file (incremental reparses).
int at = network.IndexOf(NetworkSource.EditBefore, StringComparison.Ordinal);
var editedNetworkTree = networkTree.WithChangedText(networkTree.GetText().WithChanges(
    new TextChange(new TextSpan(at, NetworkSource.EditBefore.Length), NetworkSource.EditAfter)));
int end = other.LastIndexOf('}');
var editedOtherTree = otherTree.WithChangedText(otherTree.GetText().WithChanges(
    new TextChange(new TextSpan(end, 0), "    public static int Thrice(int x) => 3 * x;\n")));

var generator = new NetworkGenerator().AsSourceGenerator();
GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(new[] { generator }, parseOptions: parseOptions,
    driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer());
ImmutableArray<Diagnostic> Analyze(Compilation compilation) =>
    compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
        null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false))
        .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();

// Sanity: the network is valid, has the requested size, and the generator writes its full half.
var first = NewDriver().RunGenerators(Fresh());
var generated = first.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();
int declared = network.Split('\n').Count(l => l.Contains("partial Tensor", StringComparison.Ordinal));
var diagnostics = Analyze(Fresh());
if (declared != nodes || diagnostics.Length > 0 || !generated.Contains("public const int ParameterCount", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"The benchmark network is not what it should be: {declared} nodes, {diagnostics.Length} diagnostics:");
    foreach (var d in diagnostics.Take(10)) Console.Error.WriteLine("  " + d);
    return 1;
}
var warmDriver = first; // ran once on the unedited compilation: what the IDE holds before an edit
var baseCompilation = Fresh();
warmDriver = warmDriver.RunGenerators(baseCompilation);

var rows = new List<(string Scenario, (double[] Wall, double[] Cpu) Ms, string Note)>
{
    ("generator, first run (new driver)", Time(() => NewDriver().RunGenerators(Fresh())), ""),
    ("analyzers, whole network", Time(() => Analyze(Fresh())), ""),
    ("generator after editing one attribute argument", Time(() => warmDriver.RunGenerators(baseCompilation.ReplaceSyntaxTree(networkTree, editedNetworkTree))),
        Reasons(warmDriver.RunGenerators(baseCompilation.ReplaceSyntaxTree(networkTree, editedNetworkTree)))),
    ("analyzers after editing one attribute argument", Time(() => Analyze(baseCompilation.ReplaceSyntaxTree(networkTree, editedNetworkTree))), ""),
    ("generator after an edit in another file", Time(() => warmDriver.RunGenerators(baseCompilation.ReplaceSyntaxTree(otherTree, editedOtherTree))),
        Reasons(warmDriver.RunGenerators(baseCompilation.ReplaceSyntaxTree(otherTree, editedOtherTree)))),
};

Console.WriteLine($"DslNet generator and analyzers on a {nodes}-node network ({network.Length / 1024} KiB of source, {generated.Length / 1024} KiB generated)");
Console.WriteLine($"median of {runs} runs after {warmup} warm-up runs; {Environment.ProcessorCount} cores; .NET {Environment.Version}; load average {LoadAverage()}");
Console.WriteLine();
Console.WriteLine($"| {"scenario",-48} | {"median ms",9} | {"min ms",7} | {"max ms",7} | {"CPU ms",7} | steps of the generator");
Console.WriteLine($"|{new string('-', 50)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 9)}|{new string('-', 9)}|{new string('-', 24)}");
foreach (var (scenario, (wall, cpu), note) in rows)
{
    var sorted = wall.OrderBy(x => x).ToArray();
    Console.WriteLine($"| {scenario,-48} | {Median(sorted),9:F1} | {sorted[0],7:F1} | {sorted[^1],7:F1} | {Median(cpu.OrderBy(x => x).ToArray()),7:F1} | {note}");
}
Console.WriteLine();
Console.WriteLine("median/min/max: wall-clock time of one run; CPU ms: median processor time of the process during one run");
Console.WriteLine("(on a loaded machine the wall-clock times grow, the CPU times much less).");
return 0;

(double[] Wall, double[] Cpu) Time(Action action)
{
    for (int i = 0; i < warmup; i++) action();
    var wall = new double[runs];
    var cpu = new double[runs];
    var process = Process.GetCurrentProcess();
    for (int i = 0; i < runs; i++)
    {
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        wall[i] = watch.Elapsed.TotalMilliseconds;
        process.Refresh();
        cpu[i] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
    }
    return (wall, cpu);
}

static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

// "model: 1 unchanged; plan: 1 cached; source: 1 cached": why each named step produced its output this time.
static string Reasons(GeneratorDriver driver)
{
    var result = driver.GetRunResult().Results.Single();
    string Of(IEnumerable<IncrementalGeneratorRunStep> steps) => string.Join(", ", steps.SelectMany(s => s.Outputs)
        .GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
    return $"model: {Of(result.TrackedSteps[NetworkGenerator.Steps.Model])}; plan: {Of(result.TrackedSteps[NetworkGenerator.Steps.Plan])}; "
        + $"source: {Of(result.TrackedOutputSteps.SelectMany(s => s.Value))}";
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

int Option(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;
}
