using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using DslNet.Reporting;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Reporting;

/// <summary>The SVG writer: well-formed XML, one polyline per series with the right points inside the plot area, at the right places.</summary>
public sealed class SvgPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static TrainingResult Result(int epochs, bool validation)
    {
        var history = new List<EpochMetrics>();
        for (int e = 1; e <= epochs; e++)
        {
            var confusion = new ConfusionMatrix(2);
            history.Add(new EpochMetrics
            {
                Epoch = e,
                Loss = 1.0 / e + 0.05,
                Accuracy = 0.5 + 0.4 * (1 - 1.0 / e),
                TopKAccuracy = 1,
                Samples = 100,
                Validation = validation ? new EvaluationResult(1.2 / e + 0.1 + 0.01 * e, 0.45 + 0.35 * (1 - 1.0 / e), 1, 5, 20, confusion) : null,
                LearningRate = 0.01,
                GradientNorm = 1,
                MonitoredValue = 0,
                IsBest = false,
                Duration = TimeSpan.FromSeconds(1),
            });
        }
        return new TrainingResult
        {
            History = history, StopReason = StopReason.Completed, Message = "", Monitor = TrainingMetric.Loss, MonitorMode = MonitorMode.Min,
            BestEpoch = epochs, BestValue = 0, RestoredBestWeights = false, TrainingSamples = 100, ValidationSamples = 20, Elapsed = TimeSpan.Zero,
        };
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static (double X, double Y)[] Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(',')).Select(p => (D(p[0]), D(p[1]))).ToArray();

    /// <summary>The linear map from data to pixels, recovered from two tick marks (value → line position).</summary>
    private static Func<double, double> AxisMap(XElement chart, string tick, string coordinate)
    {
        var ticks = chart.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == tick)
            .Select(g => (Value: D(g.Attribute("data-value")!.Value), Pixel: D(g.Element(Svg + "line")!.Attribute(coordinate)!.Value))).ToArray();
        Assert.True(ticks.Length >= 2, $"fewer than two {tick}s");
        var (a, b) = (ticks[0], ticks[^1]);
        return v => a.Pixel + (v - a.Value) * (b.Pixel - a.Pixel) / (b.Value - a.Value);
    }

    [Theory]
    [InlineData(7, true)]
    [InlineData(12, false)]
    [InlineData(1, true)]
    public void Training_curves_are_well_formed_with_one_polyline_per_series_at_the_data(int epochs, bool validation)
    {
        var result = Result(epochs, validation);
        string svg = TrainingCurves.Plot(result, "LeNet5 <Fashion-MNIST> & co").ToSvg();
        var document = XDocument.Parse(svg); // throws if not well-formed
        Assert.Equal(Svg + "svg", document.Root!.Name);

        var charts = document.Root.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == "chart").ToArray();
        Assert.Equal(2, charts.Length);
        Func<EpochMetrics, double>[][] expected =
        [
            [e => e.Loss, e => e.Validation!.Loss],
            [e => e.Accuracy, e => e.Validation!.Accuracy],
        ];
        for (int c = 0; c < 2; c++)
        {
            var chart = charts[c];
            var area = chart.Elements(Svg + "rect").Single(r => (string?)r.Attribute("class") == "plot-area");
            double left = D(area.Attribute("x")!.Value), top = D(area.Attribute("y")!.Value);
            double right = left + D(area.Attribute("width")!.Value), bottom = top + D(area.Attribute("height")!.Value);
            var xMap = AxisMap(chart, "x-tick", "x1");
            var yMap = AxisMap(chart, "y-tick", "y1");

            var lines = chart.Elements(Svg + "polyline").ToArray();
            Assert.Equal(validation ? 2 : 1, lines.Length);
            Assert.Equal(validation ? new[] { "training", "validation" } : new[] { "training" }, lines.Select(l => l.Attribute("data-series")!.Value));
            for (int s = 0; s < lines.Length; s++)
            {
                var points = Points(lines[s]);
                Assert.Equal(epochs, points.Length);
                for (int i = 0; i < epochs; i++)
                {
                    var (x, y) = points[i];
                    Assert.InRange(x, left, right);
                    Assert.InRange(y, top, bottom);
                    Assert.Equal(xMap(result.History[i].Epoch), x, 0.01);
                    Assert.Equal(yMap(expected[c][s](result.History[i])), y, 0.01);
                }
            }
            // Axes are labelled; the legend names every series.
            Assert.Equal("epoch", chart.Elements(Svg + "text").Single(t => (string?)t.Attribute("class") == "x-label").Value);
            Assert.NotEmpty(chart.Elements(Svg + "text").Single(t => (string?)t.Attribute("class") == "y-label").Value);
            var legend = chart.Elements(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
            Assert.Equal(lines.Select(l => l.Attribute("data-series")!.Value), legend.Elements(Svg + "text").Select(t => t.Value));
        }
        Assert.Contains("LeNet5 <Fashion-MNIST> & co", document.Root.Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void Saving_writes_a_parseable_file_and_creates_the_folder()
    {
        string folder = Directory.CreateTempSubdirectory("dslnet-svg-").FullName;
        try
        {
            string path = Path.Combine(folder, "runs", "curves.svg");
            TrainingCurves.Save(Result(3, true), path);
            var document = XDocument.Load(path);
            Assert.Equal(4, document.Descendants(Svg + "polyline").Count());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Series_with_bad_points_are_refused_with_their_name()
    {
        var chart = new SvgChart("t", "x", "y");
        Assert.Contains("'loss'", Assert.Throws<ArgumentException>(() => chart.Add("loss", [1, 2], [1], "red")).Message);
        Assert.Contains("point 1", Assert.Throws<ArgumentException>(() => chart.Add("loss", [1, 2], [1, double.NaN], "red")).Message);
        Assert.Throws<InvalidOperationException>(() => new SvgPlot().ToSvg());
    }

    [Fact]
    public void Nice_ticks_cover_the_data_with_round_steps()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 500; trial++)
        {
            double a = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-4, 5));
            double b = a + random.NextDouble() * Math.Pow(10, random.Next(-4, 5));
            var ticks = AxisTicks.For(a, b, count: 6);
            Assert.True(ticks.Minimum <= a && ticks.Maximum >= b, $"[{ticks.Minimum}, {ticks.Maximum}] does not cover [{a}, {b}]");
            double mantissa = ticks.Step / Math.Pow(10, Math.Floor(Math.Log10(ticks.Step)));
            Assert.Contains(Math.Round(mantissa, 9), new[] { 1.0, 2.0, 5.0 });
            Assert.InRange(ticks.Values.Count, 3, 13);
        }
        Assert.Equal(new[] { 0.2, 0.4, 0.6, 0.8, 1.0 }, AxisTicks.For(0.23, 0.91, count: 4).Values.Select(v => Math.Round(v, 12)));
        var epochs = AxisTicks.For(1, 3, count: 6, integers: true);
        Assert.All(epochs.Values, v => Assert.Equal(Math.Round(v), v));
    }
}
