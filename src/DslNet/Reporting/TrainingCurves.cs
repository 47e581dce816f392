using System;
using System.Linq;
using DslNet.Training;

namespace DslNet.Reporting;

/// <summary>
/// Training curves of a <see cref="TrainingResult"/> as an SVG: loss per epoch and accuracy per
/// epoch, side by side, each with a training and (when there was one) a validation series.
/// </summary>
public static class TrainingCurves
{
    public const string TrainingColor = "#1f77b4";
    public const string ValidationColor = "#ff7f0e";

    /// <summary>The two charts of <paramref name="result"/> in one plot.</summary>
    public static SvgPlot Plot(TrainingResult result, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.History.Count == 0) throw new ArgumentException("The training result has no completed epoch to plot.", nameof(result));
        var history = result.History;
        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        bool validated = history.All(e => e.Validation is not null);

        var loss = new SvgChart("Loss", "epoch", "mean loss") { IntegerX = true };
        loss.Add("training", epochs, history.Select(e => e.Loss).ToArray(), TrainingColor);
        if (validated) loss.Add("validation", epochs, history.Select(e => e.Validation!.Loss).ToArray(), ValidationColor, dashed: true);

        var accuracy = new SvgChart("Accuracy", "epoch", "accuracy") { IntegerX = true };
        accuracy.Add("training", epochs, history.Select(e => e.Accuracy).ToArray(), TrainingColor);
        if (validated) accuracy.Add("validation", epochs, history.Select(e => e.Validation!.Accuracy).ToArray(), ValidationColor, dashed: true);

        if (result.BestEpoch > 0)
        {
            string label = $"best ({result.Monitor.Name(result.Best!.Validation?.TopK ?? 5)})";
            loss.AddMarker(result.BestEpoch, label);
            accuracy.AddMarker(result.BestEpoch, label);
        }
        return new SvgPlot(title).Add(loss).Add(accuracy);
    }

    /// <summary>Writes the curves of <paramref name="result"/> to <paramref name="path"/> (atomically; the folder is created).</summary>
    public static void Save(TrainingResult result, string path, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var plot = Plot(result, title);
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) System.IO.Directory.CreateDirectory(folder);
        plot.Save(path);
    }
}
