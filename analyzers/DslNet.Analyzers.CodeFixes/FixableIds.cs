namespace DslNet.Analyzers.CodeFixes;

/// <summary>
/// The diagnostic ids this assembly fixes. They are the catalogue's ids (generator/DslNet.Generator/
/// Shapes/DiagnosticCatalog.cs, compiled into the analyzer assembly, whose internals this one sees).
/// </summary>
internal static class FixableIds
{
    public const string NotPartial = DslNet.Generator.Shapes.DiagnosticCatalog.NotPartial;
    public const string NodeNotPartialTensor = DslNet.Generator.Shapes.DiagnosticCatalog.NodeNotPartialTensor;
    public const string StrideDropsInput = DslNet.Generator.Shapes.DiagnosticCatalog.StrideDropsInput;
    public const string WrongRank = DslNet.Generator.Shapes.DiagnosticCatalog.WrongRank;
    public const string ReshapeCount = DslNet.Generator.Shapes.DiagnosticCatalog.ReshapeCount;
    public const string SizeAssertion = DslNet.Generator.Shapes.DiagnosticCatalog.SizeAssertion;
    public const string MergeShapeMismatch = DslNet.Generator.Shapes.DiagnosticCatalog.MergeShapeMismatch;
    public const string ConcatMismatch = DslNet.Generator.Shapes.DiagnosticCatalog.ConcatMismatch;
    public const string AsymmetricSame = DslNet.Generator.Shapes.DiagnosticCatalog.AsymmetricSame;
}
