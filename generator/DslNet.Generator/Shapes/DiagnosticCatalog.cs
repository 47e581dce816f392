using System.Collections.Generic;

namespace DslNet.Generator.Shapes;

internal enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>A rule: id, title, message format ({0}, {1}… filled by the engine) and default severity.</summary>
internal sealed record DiagnosticInfo(string Id, string Title, string MessageFormat, Severity Severity);

/// <summary>
/// The one catalogue of DslNet diagnostics. The shape engine reports by id; the analyzers turn each
/// entry into a DiagnosticDescriptor with a help link to docs/diagnostics.md#dslNNNN.
/// </summary>
internal static class DiagnosticCatalog
{
    public const string NotPartial = "DSL0001";
    public const string NodeNotPartialTensor = "DSL0002";
    public const string NoInput = "DSL0003";
    public const string NonPositive = "DSL0004";
    public const string NegativePadding = "DSL0005";
    public const string StrideDropsInput = "DSL0006";
    public const string WindowLargerThanInput = "DSL0007";
    public const string WrongRank = "DSL0008";
    public const string MergeShapeMismatch = "DSL0009";
    public const string ConcatMismatch = "DSL0010";
    public const string UnknownNode = "DSL0011";
    public const string LaterNode = "DSL0012";
    public const string ReshapeCount = "DSL0013";
    public const string SizeAssertion = "DSL0014";
    public const string LossMismatch = "DSL0015";
    public const string OutOfRange = "DSL0016";
    public const string UnusedNode = "DSL0017";
    public const string AsymmetricSame = "DSL0018";
    public const string PaddingOnlyWindow = "DSL0019";
    public const string ForeignBaseType = "DSL0020";
    public const string BadInputShape = "DSL0021";
    public const string SoftmaxBeforeLogitsLoss = "DSL0022";
    public const string NoPreviousNode = "DSL0023";
    public const string NotSupported = "DSL0024";
    public const string MergeArity = "DSL0025";
    public const string LossActivation = "DSL0026";
    public const string SoftmaxSingleUnit = "DSL0027";
    public const string FromNotFirst = "DSL0028";
    public const string AnalyzerFailure = "DSL0999";

    private static readonly Dictionary<string, DiagnosticInfo> ById = new()
    {
        [NotPartial] = new(NotPartial, "A network class must be partial", "Network '{0}' must be declared partial (and so must any class containing it) so that the generator can add its forward and backward code", Severity.Error),
        [NodeNotPartialTensor] = new(NodeNotPartialTensor, "A node must be a 'partial Tensor' property with only a getter", "Node '{0}' must be declared as 'partial Tensor {0} {{ get; }}'", Severity.Error),
        [NoInput] = new(NoInput, "A network needs an [Input] node", "Network '{0}' has no [Input] node: mark the first node with [Input(...)] and its per-sample shape", Severity.Error),
        [NonPositive] = new(NonPositive, "A size, kernel, stride or dilation must be at least 1", "{0}: {1} is {2}; it must be at least 1", Severity.Error),
        [NegativePadding] = new(NegativePadding, "Padding cannot be negative", "{0}: padding {1} is negative; use 0 or more, or Padding.Same", Severity.Error),
        [StrideDropsInput] = new(StrideDropsInput, "The stride does not tile the input", "{0} {1}", Severity.Error),
        [WindowLargerThanInput] = new(WindowLargerThanInput, "The window is larger than the padded input", "{0} {1}", Severity.Error),
        [WrongRank] = new(WrongRank, "The layer does not apply to a tensor of this rank", "{0}: {1}", Severity.Error),
        [MergeShapeMismatch] = new(MergeShapeMismatch, "Merged tensors must have the same shape", "{0}: {1}", Severity.Error),
        [ConcatMismatch] = new(ConcatMismatch, "Concatenated tensors must agree on every other axis", "{0}: {1}", Severity.Error),
        [UnknownNode] = new(UnknownNode, "The named node does not exist", "{0}: there is no node named '{1}'", Severity.Error),
        [LaterNode] = new(LaterNode, "A node can only read nodes declared before it", "{0}: '{1}' is declared after this node (or is this node); reading it would make a cycle", Severity.Error),
        [ReshapeCount] = new(ReshapeCount, "Reshape must keep the element count", "{0}: Reshape to {1} has {2} elements but its input {3} has {4}", Severity.Error),
        [SizeAssertion] = new(SizeAssertion, "The declared input size disagrees with the inferred one", "{0}: {1} = {2} is declared, but the input {3} has {4}", Severity.Error),
        [LossMismatch] = new(LossMismatch, "The loss does not fit the output", "{0}", Severity.Error),
        [OutOfRange] = new(OutOfRange, "A hyper-parameter is out of range", "{0}: {1}", Severity.Error),
        [UnusedNode] = new(UnusedNode, "A node is never used", "Node '{0}' is not read by any later node and is not an output", Severity.Warning),
        [AsymmetricSame] = new(AsymmetricSame, "Padding.Same cannot be symmetric here", "{0} {1}", Severity.Warning),
        [PaddingOnlyWindow] = new(PaddingOnlyWindow, "Some windows see only padding", "{0} {1}", Severity.Error),
        [ForeignBaseType] = new(ForeignBaseType, "A network class cannot have another base class", "Network '{0}' derives from '{1}'; a network derives from DslNet.Network, which the generator adds", Severity.Error),
        [BadInputShape] = new(BadInputShape, "The input shape is invalid", "Input '{0}': {1}", Severity.Error),
        [SoftmaxBeforeLogitsLoss] = new(SoftmaxBeforeLogitsLoss, "Softmax or Sigmoid before a loss that applies its own", "{0}: the loss {1} applies {2} to the logits itself, so with this {3} it is applied twice and learning slows; remove the {3}", Severity.Warning),
        [NoPreviousNode] = new(NoPreviousNode, "The first node has nothing to read", "Node '{0}' is the first node but is not an [Input]; add [Input(...)] or [From(nameof(...))]", Severity.Error),
        [NotSupported] = new(NotSupported, "Not supported yet", "{0}: {1}", Severity.Error),
        [MergeArity] = new(MergeArity, "A merge needs nodes to merge", "{0}: {1}", Severity.Error),
        [LossActivation] = new(LossActivation, "The loss expects another output activation", "{0}", Severity.Warning),
        [SoftmaxSingleUnit] = new(SoftmaxSingleUnit, "Softmax over a single unit is constant", "{0}: {1} over the single unit of its input {2} always outputs {3}, so nothing before it can learn; use Sigmoid for one unit", Severity.Error),
        [FromNotFirst] = new(FromNotFirst, "[From] must be the first attribute of its node", "{0}: From replaces the node's input, so the {1} before it would be computed and thrown away; move From first", Severity.Error),
        [AnalyzerFailure] = new(AnalyzerFailure, "Internal analyzer error", "The DslNet analyzer failed on network '{0}' ({1}: {2}); please report this with the network's source", Severity.Warning),
    };

    public static DiagnosticInfo Get(string id) => ById[id];

    public static IEnumerable<DiagnosticInfo> All => ById.Values;
}
