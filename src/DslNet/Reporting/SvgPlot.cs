using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using DslNet.IO;

namespace DslNet.Reporting;

/// <summary>
/// A small SVG writer of the project's own: one or more <see cref="SvgChart"/>s side by side in
/// one standalone SVG document (no scripts, no external fonts or styles), written atomically.
/// </summary>
public sealed class SvgPlot
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly List<SvgChart> _charts = [];

    public SvgPlot(string? title = null) => Title = title;

    /// <summary>A heading above the charts (none when null).</summary>
    public string? Title { get; }

    /// <summary>Width of each chart in pixels (default 480).</summary>
    public int ChartWidth { get; init; } = 480;

    /// <summary>Height of each chart in pixels (default 320).</summary>
    public int ChartHeight { get; init; } = 320;

    public IReadOnlyList<SvgChart> Charts => _charts;

    public SvgPlot Add(SvgChart chart)
    {
        _charts.Add(chart ?? throw new ArgumentNullException(nameof(chart)));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public XDocument ToDocument()
    {
        if (_charts.Count == 0) throw new InvalidOperationException("The plot has no charts.");
        if (ChartWidth < 160 || ChartHeight < 120) throw new InvalidOperationException($"Charts of {ChartWidth}×{ChartHeight} pixels are too small to draw (at least 160×120).");
        double heading = Title is null ? 0 : 30;
        double width = ChartWidth * _charts.Count, height = ChartHeight + heading;
        var root = new XElement(Svg + "svg",
            new XAttribute("width", Num(width)), new XAttribute("height", Num(height)),
            new XAttribute("viewBox", $"0 0 {Num(width)} {Num(height)}"),
            new XAttribute("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"),
            new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
        if (Title is not null)
            root.Add(new XElement(Svg + "text", new XAttribute("class", "heading"), new XAttribute("x", Num(width / 2)), new XAttribute("y", "22"),
                new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "17"), Title));
        for (int i = 0; i < _charts.Count; i++)
            root.Add(_charts[i].Render(Svg, i * ChartWidth, heading, ChartWidth, ChartHeight));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>The SVG document as text.</summary>
    public string ToSvg()
    {
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(new StringWriter(text, CultureInfo.InvariantCulture), new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false }))
            ToDocument().Save(writer);
        return text.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="path"/> atomically (UTF-8); the folder must exist.</summary>
    public void Save(string path)
    {
        var document = ToDocument();
        AtomicFile.Write(path, stream =>
        {
            using var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
            document.Save(writer);
        });
    }

    private static string Num(double value) => SvgChart.Format(value, 2);
}
