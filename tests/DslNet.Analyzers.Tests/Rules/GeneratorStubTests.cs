using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using DslNet.Analyzers.Tests.Support;
using Xunit;

namespace DslNet.Analyzers.Tests.Rules;

/// <summary>
/// For a network with errors the generator writes only a throwing stub: the compiler then has no error of its
/// own (no CS9248 for unimplemented partial properties, none in code that uses the network), so the
/// command-line build runs the analyzers and shows the DSL diagnostic — once, from the analyzer.
/// </summary>
public class GeneratorStubTests
{
    private const string InvalidNetworkAndItsUser = """
        using DslNet;
        namespace Demo;
        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Net
        {
            [Input(1, 7, 7)] public partial Tensor X { get; }
            [Conv2D(2, Kernel = 3, Stride = {|DSL0006:3|}), Flatten, Dense(2)] public partial Tensor Y { get; }
        }

        public static class User
        {
            public static float Make() => new Net(8).Forward(new float[49]).Length;
        }
        """;

    [Fact]
    public void An_invalid_network_that_code_uses_shows_only_the_dsl_diagnostic()
    {
        var diagnostic = Assert.Single(AnalyzerHarness.Verify(InvalidNetworkAndItsUser)); // also: no CS error, no generator diagnostic
        Assert.Equal("DSL0006", diagnostic.Id);
    }

    [Fact]
    public void The_stub_compiles_and_every_use_of_the_network_throws_a_clear_exception()
    {
        var (source, _) = Markup.Parse(InvalidNetworkAndItsUser);
        var run = AnalyzerHarness.Analyze(source);
        var (hint, text) = Assert.Single(run.GeneratedSources);
        Assert.Equal("Demo.Net.g.cs", hint);
        Assert.DoesNotContain("Plan", text); // a stub, not the network

        using var image = new MemoryStream();
        var emitted = run.Compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var context = new AssemblyLoadContext("stub", isCollectible: true);
        try
        {
            image.Position = 0;
            var user = context.LoadFromStream(image).GetType("Demo.User")!;
            var thrown = Assert.Throws<TargetInvocationException>(() => user.GetMethod("Make")!.Invoke(null, null));
            var inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
            Assert.Equal("Network Demo.Net has shape errors; see the DSL diagnostics.", inner.Message);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void A_stub_repeats_setters_and_works_without_the_network_base_when_another_base_is_declared()
    {
        var run = AnalyzerHarness.Analyze("""
            using DslNet;
            namespace Demo;
            public class Model { }
            public partial class Outer
            {
                [Network]
                internal partial class Net : Model
                {
                    [Input(4)] public partial Tensor X { get; set; }
                    [Dense(2)] public partial Tensor? Y { get; init; }
                }
            }
            """);
        Assert.Empty(run.CompilerErrors.Select(AnalyzerHarness.Describe));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "DSL0002", "DSL0002", "DSL0020" }, run.Dsl.Select(d => d.Id).OrderBy(id => id));
    }
}
