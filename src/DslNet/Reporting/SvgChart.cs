using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace DslNet.Reporting;

/// <summary>One line series of a chart: (x, y) points drawn as a polyline with markers.</summary>
public sealed record SvgSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, string Color, bool Dashed = false);

/// <summary>
/// One line chart: a title, x and y axes with ticks and labels, a legend, and line series. Drawn by
/// <see cref="SvgPlot"/>, which places one or more charts side by side in an SVG file.
/// </summary>
public sealed class SvgChart
{
    private readonly List<SvgSeries> _series = [];

    public SvgChart(string title, string xLabel, string yLabel)
    {
        Title = title ?? "";
        XLabel = xLabel ?? "";
        YLabel = yLabel ?? "";
    }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }

    /// <summary>Ticks on whole numbers only (epochs).</summary>
    public bool IntegerX { get; init; }

    /// <summary>When set, the y axis covers at least this range (e.g. [0, 1] for accuracies).</summary>
    public (double Low, double High)? YRange { get; init; }

    public IReadOnlyList<SvgSeries> Series => _series;

    /// <summary>Vertical marker lines (e.g. the best epoch), drawn dotted with a label at the top.</summary>
    public IReadOnlyList<(double X, string Label)> Markers => _markers;

    private readonly List<(double X, string Label)> _markers = [];

    /// <summary>Adds a dotted vertical line at <paramref name="x"/> labelled <paramref name="label"/>.</summary>
    public SvgChart AddMarker(double x, string label)
    {
        if (!double.IsFinite(x)) throw new ArgumentException($"Marker '{label}' is at {x}; only finite positions can be drawn.");
        _markers.Add((x, label ?? ""));
        return this;
    }

    /// <summary>Adds a series; x and y must have the same, non-zero length and finite values.</summary>
    public SvgChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, string color, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"Series '{name}' has {x.Count} x values and {y.Count} y values.");
        if (x.Count == 0) throw new ArgumentException($"Series '{name}' has no points.");
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ArgumentException($"Series '{name}': point {i} is ({x[i]}, {y[i]}); only finite values can be drawn.");
        _series.Add(new SvgSeries(name, x.ToArray(), y.ToArray(), color, dashed));
        return this;
    }

    // ---- layout (pixels inside the chart's own box) ------------------------------------------

    private const double MarginLeft = 64, MarginRight = 16, MarginTop = 34, MarginBottom = 48;

    /// <summary>Draws the chart in a box of <paramref name="width"/> × <paramref name="height"/> at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    internal XElement Render(XNamespace svg, double left, double top, double width, double height)
    {
        var area = (Left: left + MarginLeft, Top: top + MarginTop, Width: width - MarginLeft - MarginRight, Height: height - MarginTop - MarginBottom);
        var (xTicks, yTicks) = Ticks();
        double X(double v) => area.Left + (v - xTicks.Minimum) / (xTicks.Maximum - xTicks.Minimum) * area.Width;
        double Y(double v) => area.Top + area.Height - (v - yTicks.Minimum) / (yTicks.Maximum - yTicks.Minimum) * area.Height;

        var panel = new XElement(svg + "g", new XAttribute("class", "chart"));
        panel.Add(new XElement(svg + "text", new XAttribute("class", "title"), A("x", left + width / 2), A("y", top + 20),
            new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "15"), new XAttribute("font-weight", "bold"), Title));
        panel.Add(new XElement(svg + "rect", new XAttribute("class", "plot-area"), A("x", area.Left), A("y", area.Top),
            A("width", area.Width), A("height", area.Height), new XAttribute("fill", "#fafafa"), new XAttribute("stroke", "#444")));

        foreach (double v in xTicks.Values)
        {
            double x = X(v);
            panel.Add(new XElement(svg + "g", new XAttribute("class", "x-tick"), new XAttribute("data-value", Format(v, 12)),
                new XElement(svg + "line", A("x1", x), A("y1", area.Top), A("x2", x), A("y2", area.Top + area.Height + 5), new XAttribute("stroke", "#ddd")),
                new XElement(svg + "text", A("x", x), A("y", area.Top + area.Height + 18), new XAttribute("text-anchor", "middle"),
                    new XAttribute("font-size", "11"), Format(v, xTicks.Decimals))));
        }
        foreach (double v in yTicks.Values)
        {
            double y = Y(v);
            panel.Add(new XElement(svg + "g", new XAttribute("class", "y-tick"), new XAttribute("data-value", Format(v, 12)),
                new XElement(svg + "line", A("x1", area.Left - 5), A("y1", y), A("x2", area.Left + area.Width), A("y2", y), new XAttribute("stroke", "#ddd")),
                new XElement(svg + "text", A("x", area.Left - 8), A("y", y + 4), new XAttribute("text-anchor", "end"),
                    new XAttribute("font-size", "11"), Format(v, yTicks.Decimals))));
        }
        panel.Add(new XElement(svg + "text", new XAttribute("class", "x-label"), A("x", area.Left + area.Width / 2), A("y", top + height - 10),
            new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "12"), XLabel));
        double yMid = area.Top + area.Height / 2, yLabelX = left + 16;
        panel.Add(new XElement(svg + "text", new XAttribute("class", "y-label"), A("x", yLabelX), A("y", yMid),
            new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "12"),
            new XAttribute("transform", string.Create(CultureInfo.InvariantCulture, $"rotate(-90 {yLabelX:0.##} {yMid:0.##})")), YLabel));

        // Marker labels go at the top of the plot, or at the bottom when the curves pass there.
        var curveSamples = CurveSamples(X, Y);
        var labelSamples = new List<(double X, double Y)>();
        double middle = area.Left + area.Width / 2;
        foreach (var (mx, label) in _markers)
        {
            double x = X(mx), span = 6 * label.Length + 6;
            double from = x < middle ? x : x - span, to = x < middle ? x + span : x;
            int Crossings(double y) => curveSamples.Count(p => p.X >= from && p.X <= to && Math.Abs(p.Y - y) < 10);
            double labelY = Crossings(area.Top + 8) <= Crossings(area.Top + area.Height - 8) ? area.Top + 12 : area.Top + area.Height - 5;
            for (double d = 0; d <= span; d += 6) labelSamples.Add((from + d, labelY - 4));
            panel.Add(new XElement(svg + "g", new XAttribute("class", "marker-line"),
                new XElement(svg + "line", A("x1", x), A("y1", area.Top), A("x2", x), A("y2", area.Top + area.Height),
                    new XAttribute("stroke", "#2a2"), new XAttribute("stroke-dasharray", "2 3"), new XAttribute("stroke-width", "1.5")),
                MarkerLabel(svg, x, labelY, middle, label)));
        }

        foreach (var series in _series)
        {
            var points = string.Join(" ", Enumerable.Range(0, series.X.Count).Select(i => $"{Format(X(series.X[i]), 2)},{Format(Y(series.Y[i]), 2)}"));
            var line = new XElement(svg + "polyline", new XAttribute("class", "series"), new XAttribute("data-series", series.Name),
                new XAttribute("points", points), new XAttribute("fill", "none"), new XAttribute("stroke", series.Color), new XAttribute("stroke-width", "2"));
            if (series.Dashed) line.Add(new XAttribute("stroke-dasharray", "6 4"));
            panel.Add(line);
            for (int i = 0; i < series.X.Count; i++)
                panel.Add(new XElement(svg + "circle", new XAttribute("class", "marker"), A("cx", X(series.X[i])), A("cy", Y(series.Y[i])),
                    new XAttribute("r", "2.5"), new XAttribute("fill", series.Color)));
        }

        // Legend: in the corner of the plot area that covers the fewest points of the curves.
        var legend = new XElement(svg + "g", new XAttribute("class", "legend"));
        double legendWidth = 24 + 7 * _series.Select(s => s.Name.Length).DefaultIfEmpty(0).Max() + 12;
        double legendHeight = 8 + 16 * _series.Count;
        var samples = curveSamples.Concat(labelSamples).ToList(); // keep the legend off the curves and the marker labels
        var corners = new[]
        {
            (X: area.Left + area.Width - legendWidth - 6, Y: area.Top + 6),
            (X: area.Left + area.Width - legendWidth - 6, Y: area.Top + area.Height - legendHeight - 6),
            (X: area.Left + 6, Y: area.Top + 6),
            (X: area.Left + 6, Y: area.Top + area.Height - legendHeight - 6),
        };
        var (lx, ly) = corners.OrderBy(c => samples.Count(p => p.X >= c.X - 4 && p.X <= c.X + legendWidth + 4 && p.Y >= c.Y - 4 && p.Y <= c.Y + legendHeight + 4)).First();
        legend.Add(new XElement(svg + "rect", A("x", lx), A("y", ly), A("width", legendWidth), A("height", legendHeight),
            new XAttribute("fill", "white"), new XAttribute("fill-opacity", "0.85"), new XAttribute("stroke", "#bbb")));
        for (int i = 0; i < _series.Count; i++)
        {
            double y = ly + 12 + 16 * i;
            var swatch = new XElement(svg + "line", A("x1", lx + 6), A("y1", y), A("x2", lx + 24), A("y2", y),
                new XAttribute("stroke", _series[i].Color), new XAttribute("stroke-width", "2"));
            if (_series[i].Dashed) swatch.Add(new XAttribute("stroke-dasharray", "6 4"));
            legend.Add(swatch, new XElement(svg + "text", A("x", lx + 30), A("y", y + 4), new XAttribute("font-size", "11"), _series[i].Name));
        }
        panel.Add(legend);
        return panel;
    }

    /// <summary>The marker's label beside its line, on the side towards the middle of the plot.</summary>
    private static XElement MarkerLabel(XNamespace svg, double x, double y, double middle, string label) =>
        new(svg + "text", new XAttribute("class", "marker-label"), A("x", x < middle ? x + 3 : x - 3), A("y", y),
            new XAttribute("text-anchor", x < middle ? "start" : "end"), new XAttribute("font-size", "10"), new XAttribute("fill", "#2a2"), label);

    /// <summary>Pixel positions along every curve (points and segment quarter points), to keep the legend off them.</summary>
    private List<(double X, double Y)> CurveSamples(Func<double, double> x, Func<double, double> y)
    {
        var samples = new List<(double X, double Y)>();
        foreach (var s in _series)
            for (int i = 0; i < s.X.Count; i++)
            {
                samples.Add((x(s.X[i]), y(s.Y[i])));
                if (i + 1 < s.X.Count)
                    for (int q = 1; q < 4; q++)
                        samples.Add((x(s.X[i] + (s.X[i + 1] - s.X[i]) * q / 4), y(s.Y[i] + (s.Y[i + 1] - s.Y[i]) * q / 4)));
            }
        return samples;
    }

    private (AxisTicks X, AxisTicks Y) Ticks()
    {
        var xs = _series.SelectMany(s => s.X).Concat(_markers.Select(m => m.X)).DefaultIfEmpty(0).ToList();
        var ys = _series.SelectMany(s => s.Y).DefaultIfEmpty(0).ToList();
        double yLow = ys.Min(), yHigh = ys.Max();
        if (YRange is (double low, double high)) (yLow, yHigh) = (Math.Min(yLow, low), Math.Max(yHigh, high));
        return (AxisTicks.For(xs.Min(), xs.Max(), count: 6, integers: IntegerX), AxisTicks.For(yLow, yHigh, count: 6));
    }

    private static XAttribute A(string name, double value) => new(name, Format(value, 2));

    internal static string Format(double value, int decimals) =>
        Math.Round(value, decimals).ToString("0." + new string('#', Math.Max(decimals, 0)), CultureInfo.InvariantCulture);
}
