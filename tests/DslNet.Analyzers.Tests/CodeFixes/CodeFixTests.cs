using System.Linq;
using System.Threading.Tasks;
using DslNet.Analyzers.CodeFixes;
using Xunit;

namespace DslNet.Analyzers.Tests.CodeFixes;

/// <summary>
/// One test per code fix: the whole fixed source is asserted, and the fixed source must have no DSL
/// diagnostic left (and compile, generated half included).
/// </summary>
public class CodeFixTests
{
    private static async Task AssertFix(string before, string after, Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider provider, string id, string? title = null)
    {
        string fixedSource = await CodeFixHarness.FixAsync(before, provider, id, title);
        Assert.Equal(after, fixedSource);
        CodeFixHarness.AssertClean(fixedSource);
    }

    [Fact]
    public Task Makes_the_network_class_partial() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public sealed class Mlp
        {
            [Input(784)]            partial Tensor Pixels { get; }
            [Dense(10)]             partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public sealed partial class Mlp
        {
            [Input(784)]            partial Tensor Pixels { get; }
            [Dense(10)]             partial Tensor Logits { get; }
        }
        """,
        new MakePartialCodeFix(), "DSL0001", "Make 'Mlp' partial");

    [Fact]
    public Task Makes_a_nested_network_and_its_containing_classes_partial() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        static class Models
        {
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            class Mlp
            {
                [Input(4)]      partial Tensor X { get; }
                [Dense(2)]      partial Tensor Logits { get; }
            }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        static partial class Models
        {
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            partial class Mlp
            {
                [Input(4)]      partial Tensor X { get; }
                [Dense(2)]      partial Tensor Logits { get; }
            }
        }
        """,
        new MakePartialCodeFix(), "DSL0001", "Make 'Mlp' and its containing classes partial");

    [Fact]
    public Task Declares_a_node_as_a_partial_tensor_with_a_getter() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]            public partial Tensor Pixels { get; }
            [Dense(128), ReLU]      public partial Tensor Hidden { get; }
            // The scores, one per class.
            [Dense(10)]             public Tensor Logits { get; set; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]            public partial Tensor Pixels { get; }
            [Dense(128), ReLU]      public partial Tensor Hidden { get; }
            // The scores, one per class.
            [Dense(10)]             public partial Tensor Logits { get; }
        }
        """,
        new NodeDeclarationCodeFix(), "DSL0002", "Declare 'Logits' as 'partial Tensor Logits { get; }'");

    [Fact]
    public Task Inserts_Flatten_before_a_Dense_on_an_image() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class LeNet
        {
            [Input(1, 28, 28)]                          partial Tensor Image { get; }
            [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  partial Tensor C1 { get; }
            [MaxPool2D(2)]                              partial Tensor S2 { get; }
            [Dense(120), ReLU]                          partial Tensor F5 { get; }
            [Dense(10)]                                 partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class LeNet
        {
            [Input(1, 28, 28)]                          partial Tensor Image { get; }
            [Conv2D(6, Kernel = 5, Padding = 2), ReLU]  partial Tensor C1 { get; }
            [MaxPool2D(2)]                              partial Tensor S2 { get; }
            [Flatten, Dense(120), ReLU]                          partial Tensor F5 { get; }
            [Dense(10)]                                 partial Tensor Logits { get; }
        }
        """,
        new InsertFlattenCodeFix(), "DSL0008", "Insert Flatten before Dense");

    [Fact]
    public Task Corrects_InFeatures_to_the_inferred_size() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(1, 28, 28)]                                  partial Tensor Image { get; }
            [Conv2D(16, Kernel = 5), ReLU, MaxPool2D(2)]        partial Tensor Conv { get; }
            [Conv2D(16, Kernel = 5), ReLU, MaxPool2D(2)]        partial Tensor Conv2 { get; }
            [Flatten, Dense(120, InFeatures = 400), ReLU]       partial Tensor Fc1 { get; }
            [Dense(10)]                                         partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(1, 28, 28)]                                  partial Tensor Image { get; }
            [Conv2D(16, Kernel = 5), ReLU, MaxPool2D(2)]        partial Tensor Conv { get; }
            [Conv2D(16, Kernel = 5), ReLU, MaxPool2D(2)]        partial Tensor Conv2 { get; }
            [Flatten, Dense(120, InFeatures = 256), ReLU]       partial Tensor Fc1 { get; }
            [Dense(10)]                                         partial Tensor Logits { get; }
        }
        """,
        new InferredSizeCodeFix(), "DSL0014", "Set InFeatures = 256, the inferred size");

    [Fact]
    public Task Corrects_InChannels_to_the_inferred_size() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(3, 16, 16)]                                      partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, InChannels = 1, Padding = 1)]    partial Tensor Conv { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(3, 16, 16)]                                      partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, InChannels = 3, Padding = 1)]    partial Tensor Conv { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        new InferredSizeCodeFix(), "DSL0014", "Set InChannels = 3, the inferred size");

    [Fact]
    public Task Corrects_a_Reshape_to_the_element_count() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(16, 4, 4)]           partial Tensor Features { get; }
            [Reshape(400)]              partial Tensor Flat { get; }
            [Dense(10)]                 partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Ported
        {
            [Input(16, 4, 4)]           partial Tensor Features { get; }
            [Reshape(256)]              partial Tensor Flat { get; }
            [Dense(10)]                 partial Tensor Logits { get; }
        }
        """,
        new InferredSizeCodeFix(), "DSL0013", "Change to Reshape(256), the input's element count");

    [Fact]
    public async Task Offers_no_Reshape_value_when_the_target_has_several_axes()
    {
        var (_, actions) = await CodeFixHarness.ActionsAsync(
            """
            using DslNet;
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class Ported
            {
                [Input(256)]                partial Tensor Features { get; }
                [Reshape(16, 5, 5)]         partial Tensor Image { get; }
                [Flatten, Dense(10)]        partial Tensor Logits { get; }
            }
            """, new InferredSizeCodeFix(), "DSL0013");
        Assert.Empty(actions);
    }

    [Fact]
    public Task Pads_the_one_convolution_that_shrank_a_residual_branch() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Residual
        {
            [Input(3, 28, 28)]                                      partial Tensor Image { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor Stem { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor A { get; }
            [Conv2D(16, Kernel = 3), BatchNorm]                     partial Tensor B { get; }
            [Add(nameof(Stem), nameof(B)), ReLU]                    partial Tensor Res { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Residual
        {
            [Input(3, 28, 28)]                                      partial Tensor Image { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor Stem { get; }
            [Conv2D(16, Kernel = 3, Padding = 1), BatchNorm, ReLU]  partial Tensor A { get; }
            [Conv2D(16, Kernel = 3, Padding = Padding.Same), BatchNorm]                     partial Tensor B { get; }
            [Add(nameof(Stem), nameof(B)), ReLU]                    partial Tensor Res { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        new KeepSizePaddingCodeFix(), "DSL0009", "Set Padding = Padding.Same to keep 28×28");

    [Fact]
    public Task Pads_the_branch_of_a_Concat_that_lost_its_size() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Inception
        {
            [Input(8, 12, 12)]                                      partial Tensor Image { get; }
            [Conv2D(4, Kernel = 1), ReLU]                           partial Tensor Branch1 { get; }
            [From(nameof(Image)), Conv2D(6, Kernel = 5), ReLU]      partial Tensor Branch5 { get; }
            [Concat(nameof(Branch1), nameof(Branch5))]              partial Tensor Mixed { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Inception
        {
            [Input(8, 12, 12)]                                      partial Tensor Image { get; }
            [Conv2D(4, Kernel = 1), ReLU]                           partial Tensor Branch1 { get; }
            [From(nameof(Image)), Conv2D(6, Kernel = 5, Padding = Padding.Same), ReLU]      partial Tensor Branch5 { get; }
            [Concat(nameof(Branch1), nameof(Branch5))]              partial Tensor Mixed { get; }
            [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
        }
        """,
        new KeepSizePaddingCodeFix(), "DSL0010", "Set Padding = Padding.Same to keep 12×12");

    [Fact]
    public async Task Offers_no_padding_when_two_layers_shrank_the_branch()
    {
        var (_, actions) = await CodeFixHarness.ActionsAsync(
            """
            using DslNet;
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class Residual
            {
                [Input(16, 28, 28)]                                     partial Tensor Image { get; }
                [Conv2D(16, Kernel = 3), ReLU, Conv2D(16, Kernel = 3)]  partial Tensor B { get; }
                [Add(nameof(Image), nameof(B))]                         partial Tensor Res { get; }
                [GlobalAvgPool2D, Dense(10)]                            partial Tensor Logits { get; }
            }
            """, new KeepSizePaddingCodeFix(), "DSL0009");
        Assert.Empty(actions);
    }

    [Fact]
    public Task Changes_a_stride_that_drops_input_to_the_closest_one_that_tiles() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Signal
        {
            [Input(1, 9, 30)]                                                           partial Tensor Image { get; }
            [Conv2D(8, KernelHeight = 1, KernelWidth = 5, StrideWidth = 4)]             partial Tensor Conv { get; }
            [Flatten, Dense(10)]                                                        partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Signal
        {
            [Input(1, 9, 30)]                                                           partial Tensor Image { get; }
            [Conv2D(8, KernelHeight = 1, KernelWidth = 5, StrideWidth = 5)]             partial Tensor Conv { get; }
            [Flatten, Dense(10)]                                                        partial Tensor Logits { get; }
        }
        """,
        new StrideCodeFix(), "DSL0006", "Change StrideWidth to 5");

    [Fact]
    public async Task Offers_each_suggested_stride_closest_first_and_the_tiling_padding()
    {
        var (_, actions) = await CodeFixHarness.ActionsAsync(
            """
            using DslNet;
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class Net
            {
                [Input(1, 28, 28)]                          partial Tensor Image { get; }
                [Conv2D(8, Kernel = 3, Stride = 3)]         partial Tensor Down { get; }
                [Flatten, Dense(10)]                        partial Tensor Logits { get; }
            }
            """, new StrideCodeFix(), "DSL0006");
        // (28 − 3) mod s must be 0 without padding: only stride 1; with padding 1, (28 + 2 − 3) mod 3 = 0.
        Assert.Equal(new[] { "Change Stride to 1", "Set Padding = 1" }, actions.Select(a => a.Title));
    }

    [Fact]
    public Task Sets_the_padding_that_makes_a_strided_window_tile() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Net
        {
            [Input(1, 28, 28)]                          partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, Stride = 3)]         partial Tensor Down { get; }
            [Flatten, Dense(10)]                        partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Net
        {
            [Input(1, 28, 28)]                          partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, Stride = 3, Padding = 1)]         partial Tensor Down { get; }
            [Flatten, Dense(10)]                        partial Tensor Logits { get; }
        }
        """,
        new StrideCodeFix(), "DSL0006", "Set Padding = 1");

    [Fact]
    public Task Replaces_an_asymmetric_Same_by_the_symmetric_padding_of_the_same_size() => AssertFix(
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Net
        {
            [Input(1, 28, 28)]                                                  partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, Stride = 2, Padding = Padding.Same), ReLU]   partial Tensor Down { get; }
            [Flatten, Dense(10)]                                                partial Tensor Logits { get; }
        }
        """,
        """
        using DslNet;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Net
        {
            [Input(1, 28, 28)]                                                  partial Tensor Image { get; }
            [Conv2D(8, Kernel = 3, Stride = 2, Padding = 1), ReLU]   partial Tensor Down { get; }
            [Flatten, Dense(10)]                                                partial Tensor Logits { get; }
        }
        """,
        new KeepSizePaddingCodeFix(), "DSL0018", "Set Padding = 1 (symmetric) to get 14×14");
}
