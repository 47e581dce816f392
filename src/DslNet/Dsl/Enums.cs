// This file is compiled into the runtime AND linked as source into the generator and analyzers,
// so that the numeric values the compiler sees in attribute arguments have exactly one definition.
// In the compiler-side assemblies the types are internal, so tests that load both do not see two.
namespace DslNet
{
    /// <summary>The loss a network trains with (declared on [Network], overridable per call).</summary>
#if DSLNET_COMPILER
    internal enum Loss
#else
    public enum Loss
#endif
    {
        /// <summary>No loss declared: TrainStep needs one passed explicitly.</summary>
        None = 0,
        /// <summary>Mean squared error, averaged over all elements (PyTorch MSELoss).</summary>
        MeanSquaredError = 1,
        /// <summary>Mean absolute error / L1, averaged over all elements (PyTorch L1Loss).</summary>
        MeanAbsoluteError = 2,
        /// <summary>Binary cross-entropy on probabilities in (0, 1), averaged over all elements (PyTorch BCELoss).</summary>
        BinaryCrossEntropy = 3,
        /// <summary>Binary cross-entropy on logits, computed stably (PyTorch BCEWithLogitsLoss).</summary>
        BinaryCrossEntropyWithLogits = 4,
        /// <summary>Softmax cross-entropy from logits with integer class labels, mean over the batch (PyTorch CrossEntropyLoss).</summary>
        SoftmaxCrossEntropy = 5,
        /// <summary>Negative log-likelihood of log-probabilities (after LogSoftmax) with integer labels (PyTorch NLLLoss).</summary>
        NllLoss = 6,
    }

    /// <summary>How a layer's weights are initialised. Biases start at zero.</summary>
#if DSLNET_COMPILER
    internal enum Init
#else
    public enum Init
#endif
    {
        /// <summary>He/Kaiming when a ReLU-family activation follows the layer, Glorot/Xavier otherwise.</summary>
        Default = 0,
        /// <summary>U(−a, a) with a = sqrt(6 / (fanIn + fanOut)).</summary>
        GlorotUniform = 1,
        /// <summary>N(0, 2 / (fanIn + fanOut)).</summary>
        GlorotNormal = 2,
        /// <summary>U(−a, a) with a = sqrt(6 / fanIn).</summary>
        HeUniform = 3,
        /// <summary>N(0, 2 / fanIn).</summary>
        HeNormal = 4,
        /// <summary>U(−a, a) with a = 1 / sqrt(fanIn): PyTorch's default for Linear and Conv2d.</summary>
        LeCunUniform = 5,
        /// <summary>N(0, 1 / fanIn).</summary>
        LeCunNormal = 6,
    }

    /// <summary>Named paddings for Conv2D and pooling: <c>Padding = Padding.Same</c>.</summary>
#if DSLNET_COMPILER
    internal static class Padding
#else
    public static class Padding
#endif
    {
        /// <summary>No padding.</summary>
        public const int Valid = 0;

        /// <summary>
        /// The padding that keeps the spatial size (divided by the stride, rounded up), split as evenly
        /// as possible with any extra row or column at the bottom/right, as TensorFlow's "SAME".
        /// (A sentinel value: any other negative padding is an error.)
        /// </summary>
        public const int Same = int.MinValue;
    }
}
