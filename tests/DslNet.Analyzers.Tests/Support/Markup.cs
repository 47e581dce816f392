using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace DslNet.Analyzers.Tests.Support;

/// <summary>A diagnostic a test expects: its id and the exact span of source text it must cover.</summary>
public sealed record ExpectedDiagnostic(string Id, TextSpan Span, string Text);

/// <summary>
/// Test markup: <c>{|DSL0006:3|}</c> marks the text "3" as the span where DSL0006 is expected. Markers do
/// not nest; the markup is removed from the returned source. Any other "{|" is an error in the test.
/// </summary>
public static class Markup
{
    public static (string Source, IReadOnlyList<ExpectedDiagnostic> Expected) Parse(string markup)
    {
        var source = new StringBuilder(markup.Length);
        var expected = new List<ExpectedDiagnostic>();
        int i = 0;
        while (i < markup.Length)
        {
            int open = markup.IndexOf("{|", i, StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(markup, i, markup.Length - i);
                break;
            }
            source.Append(markup, i, open - i);
            int colon = markup.IndexOf(':', open);
            int close = markup.IndexOf("|}", open, StringComparison.Ordinal);
            if (colon < 0 || close < 0 || colon > close)
                throw new FormatException($"Unclosed or id-less markup at offset {open}: expected {{|DSLnnnn:text|}}");
            string id = markup.Substring(open + 2, colon - open - 2);
            string text = markup.Substring(colon + 1, close - colon - 1);
            if (text.Contains("{|", StringComparison.Ordinal)) throw new FormatException($"Nested markup at offset {open}");
            expected.Add(new ExpectedDiagnostic(id, new TextSpan(source.Length, text.Length), text));
            source.Append(text);
            i = close + 2;
        }
        return (source.ToString(), expected);
    }
}
