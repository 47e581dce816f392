using System.Linq;
using DslNet.Generator.Tests.Support;
using Xunit;

namespace DslNet.Generator.Tests;

/// <summary>The shape engine through the generator: worked examples of the course material, and silence on invalid input.</summary>
public class ShapeInferenceTests
{
    private static string Network(string nodes, string loss = "Loss.SoftmaxCrossEntropy") => $$"""
        using DslNet;
        namespace Demo;
        [Network(Loss = {{loss}})]
        public partial class Net
        {
        {{nodes}}
        }
        """;

    private static string Generated(string nodes) =>
        GeneratorHarness.RunGenerator(Network(nodes)).HintNames.Any() ? GeneratorHarness.RunGenerator(Network(nodes)).Source("Demo.Net.g.cs") : "";

    [Theory]
    // (N + 2P − F)/S + 1 for N = 7, F = 3: S=1 → 5, S=2 → 3, P=1,S=1 → 7 (course worked example).
    [InlineData(1, 0, 5)]
    [InlineData(2, 0, 3)]
    [InlineData(1, 1, 7)]
    public void Convolution_output_size_follows_the_course_formula(int stride, int padding, int expected)
    {
        string source = Generated($$"""
            [Input(1, 7, 7)] public partial Tensor X { get; }
            [Conv2D(2, Kernel = 3, Stride = {{stride}}, Padding = {{padding}}), Flatten, Dense(2)] public partial Tensor Y { get; }
            """);
        Assert.Contains($"OutHeight: {expected}, OutWidth: {expected}", source);
    }

    [Fact]
    public void LeNet5_with_padding_2_has_61706_parameters()
    {
        var run = GeneratorHarness.RunGenerator(TestNetworks.LeNet5);
        Assert.Contains("public const int ParameterCount = 61706;", run.Source("Demo.LeNet5.g.cs"));
    }

    [Theory]
    [InlineData("[Conv2D(2, Kernel = 3, Stride = 3)]")]          // (7 − 3)/3 + 1 is not an integer
    [InlineData("[Conv2D(2, Kernel = 9)]")]                      // kernel larger than the input
    [InlineData("[Conv2D(2, Kernel = 0)]")]
    [InlineData("[Conv2D(2, Padding = -1)]")]
    [InlineData("[Dense(10)]")]                                  // Dense on an image without Flatten
    [InlineData("[Flatten, Reshape(50)]")]                       // 49 elements
    [InlineData("[Flatten, Dropout(1.0)]")]
    [InlineData("[Add(\"Missing\", nameof(X))]")]
    public void An_invalid_network_generates_only_a_throwing_stub_and_reports_nothing(string attributes)
    {
        var run = GeneratorHarness.RunGenerator(Network($$"""
            [Input(1, 7, 7)] public partial Tensor X { get; }
            {{attributes}} public partial Tensor Y { get; }
            """));
        // The stub completes the partial declarations (no CS9248), so the compiler lets the analyzers speak.
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors.Select(e => e.ToString()));
        string stub = run.Source("Demo.Net.g.cs");
        Assert.Contains("public partial global::DslNet.Tensor Y { get => throw new global::System.InvalidOperationException(\"Network Demo.Net has shape errors; see the DSL diagnostics.\"); }", stub);
        Assert.DoesNotContain("ForwardCore(int batch, bool training)\n", stub); // no kernels: every member throws
        Assert.DoesNotContain("ParameterCount", stub);
    }

    [Fact]
    public void A_stride_whose_remainder_is_only_padding_is_valid()
    {
        // 3×3, stride 2, padding 1 on an even size: the remainder is padding, not dropped input.
        string source = Generated("""
            [Input(3, 8, 8)] public partial Tensor X { get; }
            [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1), Flatten, Dense(2)] public partial Tensor Y { get; }
            """);
        Assert.Contains("OutHeight: 4, OutWidth: 4", source);
    }

    [Fact]
    public void Same_padding_keeps_the_size_and_puts_the_extra_row_after()
    {
        string source = Generated("""
            [Input(1, 6, 6)] public partial Tensor X { get; }
            [Conv2D(2, Kernel = 4, Padding = Padding.Same), Flatten, Dense(2)] public partial Tensor Y { get; }
            """);
        Assert.Contains("PadTop: 1, PadLeft: 1, DilationHeight: 1, DilationWidth: 1, OutHeight: 6, OutWidth: 6", source);
    }

    [Fact]
    public void Size_assertions_that_agree_compile()
    {
        string source = Generated("""
            [Input(3, 8, 8)] public partial Tensor X { get; }
            [Conv2D(4, Kernel = 3, InChannels = 3), Flatten, Reshape(144), Dense(2, InFeatures = 144)] public partial Tensor Y { get; }
            """);
        Assert.Contains("InFeatures: 144", source);
    }

    [Fact]
    public void Half_typed_source_never_throws()
    {
        string valid = TestNetworks.LeNet5;
        for (int cut = 0; cut < valid.Length; cut += 7)
        {
            var run = GeneratorHarness.RunGenerator(valid.Substring(0, cut));
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("CS8785", System.StringComparison.Ordinal)); // generator threw
        }
    }
}
