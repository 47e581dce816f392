using System.Collections.Immutable;
using DslNet.Generator.Shapes;
using Microsoft.CodeAnalysis;

namespace DslNet.Analyzers;

/// <summary>
/// One <see cref="DiagnosticDescriptor"/> per entry of the engine's <see cref="DiagnosticCatalog"/>:
/// same id, title, message format and default severity, category "DslNet", and a help link to the
/// rule's section of docs/diagnostics.md (anchor "#dslNNNN", the id in lower case). The descriptors are
/// written out as fields (not built in a loop) so that the release-tracking analyzer can check it against
/// AnalyzerReleases.*.md; a test checks that it agrees with the catalogue.
/// </summary>
internal static class DslDescriptors
{
    public const string Category = "DslNet";

    public const string HelpBase = "https://github.com/dslnet/dslnet/blob/main/docs/diagnostics.md#";

    // BEGIN generated from the catalogue by tools/sync_catalogue.py
    public static readonly DiagnosticDescriptor NotPartial = new DiagnosticDescriptor(DiagnosticCatalog.NotPartial, Title(DiagnosticCatalog.NotPartial), Format(DiagnosticCatalog.NotPartial),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NotPartial), customTags: Tags(DiagnosticCatalog.NotPartial));

    public static readonly DiagnosticDescriptor NodeNotPartialTensor = new DiagnosticDescriptor(DiagnosticCatalog.NodeNotPartialTensor, Title(DiagnosticCatalog.NodeNotPartialTensor), Format(DiagnosticCatalog.NodeNotPartialTensor),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NodeNotPartialTensor), customTags: Tags(DiagnosticCatalog.NodeNotPartialTensor));

    public static readonly DiagnosticDescriptor NoInput = new DiagnosticDescriptor(DiagnosticCatalog.NoInput, Title(DiagnosticCatalog.NoInput), Format(DiagnosticCatalog.NoInput),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NoInput), customTags: Tags(DiagnosticCatalog.NoInput));

    public static readonly DiagnosticDescriptor NonPositive = new DiagnosticDescriptor(DiagnosticCatalog.NonPositive, Title(DiagnosticCatalog.NonPositive), Format(DiagnosticCatalog.NonPositive),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NonPositive), customTags: Tags(DiagnosticCatalog.NonPositive));

    public static readonly DiagnosticDescriptor NegativePadding = new DiagnosticDescriptor(DiagnosticCatalog.NegativePadding, Title(DiagnosticCatalog.NegativePadding), Format(DiagnosticCatalog.NegativePadding),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NegativePadding), customTags: Tags(DiagnosticCatalog.NegativePadding));

    public static readonly DiagnosticDescriptor StrideDropsInput = new DiagnosticDescriptor(DiagnosticCatalog.StrideDropsInput, Title(DiagnosticCatalog.StrideDropsInput), Format(DiagnosticCatalog.StrideDropsInput),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.StrideDropsInput), customTags: Tags(DiagnosticCatalog.StrideDropsInput));

    public static readonly DiagnosticDescriptor WindowLargerThanInput = new DiagnosticDescriptor(DiagnosticCatalog.WindowLargerThanInput, Title(DiagnosticCatalog.WindowLargerThanInput), Format(DiagnosticCatalog.WindowLargerThanInput),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.WindowLargerThanInput), customTags: Tags(DiagnosticCatalog.WindowLargerThanInput));

    public static readonly DiagnosticDescriptor WrongRank = new DiagnosticDescriptor(DiagnosticCatalog.WrongRank, Title(DiagnosticCatalog.WrongRank), Format(DiagnosticCatalog.WrongRank),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.WrongRank), customTags: Tags(DiagnosticCatalog.WrongRank));

    public static readonly DiagnosticDescriptor MergeShapeMismatch = new DiagnosticDescriptor(DiagnosticCatalog.MergeShapeMismatch, Title(DiagnosticCatalog.MergeShapeMismatch), Format(DiagnosticCatalog.MergeShapeMismatch),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.MergeShapeMismatch), customTags: Tags(DiagnosticCatalog.MergeShapeMismatch));

    public static readonly DiagnosticDescriptor ConcatMismatch = new DiagnosticDescriptor(DiagnosticCatalog.ConcatMismatch, Title(DiagnosticCatalog.ConcatMismatch), Format(DiagnosticCatalog.ConcatMismatch),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.ConcatMismatch), customTags: Tags(DiagnosticCatalog.ConcatMismatch));

    public static readonly DiagnosticDescriptor UnknownNode = new DiagnosticDescriptor(DiagnosticCatalog.UnknownNode, Title(DiagnosticCatalog.UnknownNode), Format(DiagnosticCatalog.UnknownNode),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.UnknownNode), customTags: Tags(DiagnosticCatalog.UnknownNode));

    public static readonly DiagnosticDescriptor LaterNode = new DiagnosticDescriptor(DiagnosticCatalog.LaterNode, Title(DiagnosticCatalog.LaterNode), Format(DiagnosticCatalog.LaterNode),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.LaterNode), customTags: Tags(DiagnosticCatalog.LaterNode));

    public static readonly DiagnosticDescriptor ReshapeCount = new DiagnosticDescriptor(DiagnosticCatalog.ReshapeCount, Title(DiagnosticCatalog.ReshapeCount), Format(DiagnosticCatalog.ReshapeCount),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.ReshapeCount), customTags: Tags(DiagnosticCatalog.ReshapeCount));

    public static readonly DiagnosticDescriptor SizeAssertion = new DiagnosticDescriptor(DiagnosticCatalog.SizeAssertion, Title(DiagnosticCatalog.SizeAssertion), Format(DiagnosticCatalog.SizeAssertion),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.SizeAssertion), customTags: Tags(DiagnosticCatalog.SizeAssertion));

    public static readonly DiagnosticDescriptor LossMismatch = new DiagnosticDescriptor(DiagnosticCatalog.LossMismatch, Title(DiagnosticCatalog.LossMismatch), Format(DiagnosticCatalog.LossMismatch),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.LossMismatch), customTags: Tags(DiagnosticCatalog.LossMismatch));

    public static readonly DiagnosticDescriptor OutOfRange = new DiagnosticDescriptor(DiagnosticCatalog.OutOfRange, Title(DiagnosticCatalog.OutOfRange), Format(DiagnosticCatalog.OutOfRange),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.OutOfRange), customTags: Tags(DiagnosticCatalog.OutOfRange));

    public static readonly DiagnosticDescriptor UnusedNode = new DiagnosticDescriptor(DiagnosticCatalog.UnusedNode, Title(DiagnosticCatalog.UnusedNode), Format(DiagnosticCatalog.UnusedNode),
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.UnusedNode), customTags: Tags(DiagnosticCatalog.UnusedNode));

    public static readonly DiagnosticDescriptor AsymmetricSame = new DiagnosticDescriptor(DiagnosticCatalog.AsymmetricSame, Title(DiagnosticCatalog.AsymmetricSame), Format(DiagnosticCatalog.AsymmetricSame),
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.AsymmetricSame), customTags: Tags(DiagnosticCatalog.AsymmetricSame));

    public static readonly DiagnosticDescriptor PaddingOnlyWindow = new DiagnosticDescriptor(DiagnosticCatalog.PaddingOnlyWindow, Title(DiagnosticCatalog.PaddingOnlyWindow), Format(DiagnosticCatalog.PaddingOnlyWindow),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.PaddingOnlyWindow), customTags: Tags(DiagnosticCatalog.PaddingOnlyWindow));

    public static readonly DiagnosticDescriptor ForeignBaseType = new DiagnosticDescriptor(DiagnosticCatalog.ForeignBaseType, Title(DiagnosticCatalog.ForeignBaseType), Format(DiagnosticCatalog.ForeignBaseType),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.ForeignBaseType), customTags: Tags(DiagnosticCatalog.ForeignBaseType));

    public static readonly DiagnosticDescriptor BadInputShape = new DiagnosticDescriptor(DiagnosticCatalog.BadInputShape, Title(DiagnosticCatalog.BadInputShape), Format(DiagnosticCatalog.BadInputShape),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.BadInputShape), customTags: Tags(DiagnosticCatalog.BadInputShape));

    public static readonly DiagnosticDescriptor SoftmaxBeforeLogitsLoss = new DiagnosticDescriptor(DiagnosticCatalog.SoftmaxBeforeLogitsLoss, Title(DiagnosticCatalog.SoftmaxBeforeLogitsLoss), Format(DiagnosticCatalog.SoftmaxBeforeLogitsLoss),
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.SoftmaxBeforeLogitsLoss), customTags: Tags(DiagnosticCatalog.SoftmaxBeforeLogitsLoss));

    public static readonly DiagnosticDescriptor NoPreviousNode = new DiagnosticDescriptor(DiagnosticCatalog.NoPreviousNode, Title(DiagnosticCatalog.NoPreviousNode), Format(DiagnosticCatalog.NoPreviousNode),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NoPreviousNode), customTags: Tags(DiagnosticCatalog.NoPreviousNode));

    public static readonly DiagnosticDescriptor NotSupported = new DiagnosticDescriptor(DiagnosticCatalog.NotSupported, Title(DiagnosticCatalog.NotSupported), Format(DiagnosticCatalog.NotSupported),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.NotSupported), customTags: Tags(DiagnosticCatalog.NotSupported));

    public static readonly DiagnosticDescriptor MergeArity = new DiagnosticDescriptor(DiagnosticCatalog.MergeArity, Title(DiagnosticCatalog.MergeArity), Format(DiagnosticCatalog.MergeArity),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.MergeArity), customTags: Tags(DiagnosticCatalog.MergeArity));

    public static readonly DiagnosticDescriptor LossActivation = new DiagnosticDescriptor(DiagnosticCatalog.LossActivation, Title(DiagnosticCatalog.LossActivation), Format(DiagnosticCatalog.LossActivation),
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.LossActivation), customTags: Tags(DiagnosticCatalog.LossActivation));

    public static readonly DiagnosticDescriptor SoftmaxSingleUnit = new DiagnosticDescriptor(DiagnosticCatalog.SoftmaxSingleUnit, Title(DiagnosticCatalog.SoftmaxSingleUnit), Format(DiagnosticCatalog.SoftmaxSingleUnit),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.SoftmaxSingleUnit), customTags: Tags(DiagnosticCatalog.SoftmaxSingleUnit));

    public static readonly DiagnosticDescriptor FromNotFirst = new DiagnosticDescriptor(DiagnosticCatalog.FromNotFirst, Title(DiagnosticCatalog.FromNotFirst), Format(DiagnosticCatalog.FromNotFirst),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.FromNotFirst), customTags: Tags(DiagnosticCatalog.FromNotFirst));

    public static readonly DiagnosticDescriptor AnalyzerFailure = new DiagnosticDescriptor(DiagnosticCatalog.AnalyzerFailure, Title(DiagnosticCatalog.AnalyzerFailure), Format(DiagnosticCatalog.AnalyzerFailure),
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.AnalyzerFailure), customTags: Tags(DiagnosticCatalog.AnalyzerFailure));

    public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(NotPartial, NodeNotPartialTensor, NoInput, NonPositive, NegativePadding, StrideDropsInput, WindowLargerThanInput, WrongRank, MergeShapeMismatch, ConcatMismatch, UnknownNode, LaterNode, ReshapeCount, SizeAssertion, LossMismatch, OutOfRange, UnusedNode, AsymmetricSame, PaddingOnlyWindow, ForeignBaseType, BadInputShape, SoftmaxBeforeLogitsLoss, NoPreviousNode, NotSupported, MergeArity, LossActivation, SoftmaxSingleUnit, FromNotFirst, AnalyzerFailure);
    // END

    public static readonly ImmutableDictionary<string, DiagnosticDescriptor> ById = All.ToImmutableDictionary(d => d.Id);

    public static string HelpLink(string id) => HelpBase + id.ToLowerInvariant();

    private static string Title(string id) => DiagnosticCatalog.Get(id).Title;

    private static string Format(string id) => DiagnosticCatalog.Get(id).MessageFormat;

    private static string[] Tags(string id) => id switch
    {
        DiagnosticCatalog.UnusedNode => new[] { WellKnownDiagnosticTags.Unnecessary }, // the IDE fades the unused node
        DiagnosticCatalog.AnalyzerFailure => new[] { WellKnownDiagnosticTags.NotConfigurable },
        _ => new string[0],
    };
}
