namespace DslNet.Generator.Shapes;

/// <summary>
/// Keys of the machine-readable hints the engine attaches to a finding for the code fixes
/// (analyzers/DslNet.Analyzers.CodeFixes). The analyzer passes them on as the diagnostic's
/// Properties, so a fix applies exactly the value the message suggests and never re-derives a formula.
/// Values are invariant-culture text.
/// </summary>
internal static class FixHints
{
    /// <summary>DSL0006: strides that tile the input with the padding as written, best first ("3,1").</summary>
    public const string Strides = "Strides";

    /// <summary>DSL0006: the smallest padding that tiles the input with the stride as written.</summary>
    public const string TilingPadding = "TilingPadding";

    /// <summary>DSL0013 / DSL0014: the value the engine inferred (the element count, features or channels).</summary>
    public const string Inferred = "Inferred";

    /// <summary>
    /// The padding to write on the layer the diagnostic's additional location points at, to keep its
    /// input's size: "Same", or a number where Padding.Same would not be symmetric.
    /// </summary>
    public const string Padding = "Padding";

    /// <summary>With <see cref="Padding"/>: the size it keeps or gives, as "28×28".</summary>
    public const string Size = "Size";
}
