using System;
using System.Text;

namespace DslNet.Generator.Common;

/// <summary>A small writer for generated source: lines at the current indentation, and blocks.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', 4 * _depth).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, "{", the body one level deeper, then "}" (plus <paramref name="after"/>).</summary>
    public IndentedWriter Block(string header, Action body, string after = "")
    {
        Line(header);
        Line("{");
        _depth++;
        body();
        _depth--;
        Line("}" + after);
        return this;
    }

    public override string ToString() => _text.ToString();
}
