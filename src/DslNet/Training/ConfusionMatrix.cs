using System;
using System.Text;

namespace DslNet.Training;

/// <summary>
/// Counts of (true class, predicted class) pairs: row = truth, column = prediction, so the diagonal
/// holds the correct predictions. Filled by the <see cref="Trainer"/> on validation and test sets.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A confusion matrix needs at least one class.");
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    public int ClassCount { get; }

    /// <summary>How many samples of class <paramref name="truth"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int truth, int predicted]
    {
        get
        {
            Check(truth, nameof(truth));
            Check(predicted, nameof(predicted));
            return _counts[truth * ClassCount + predicted];
        }
    }

    /// <summary>Number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one sample.</summary>
    public void Add(int truth, int predicted)
    {
        Check(truth, nameof(truth));
        Check(predicted, nameof(predicted));
        _counts[truth * ClassCount + predicted]++;
        Total++;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
    }

    /// <summary>Correct predictions over all samples (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++) correct += _counts[c * ClassCount + c];
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    /// <summary>Samples of class <paramref name="truth"/> (a row sum).</summary>
    public long Support(int truth)
    {
        Check(truth, nameof(truth));
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += _counts[truth * ClassCount + p];
        return sum;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/> (0 when there are none).</summary>
    public double Recall(int c)
    {
        long support = Support(c);
        return support == 0 ? 0 : (double)_counts[c * ClassCount + c] / support;
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/> (0 when none were).</summary>
    public double Precision(int c)
    {
        Check(c, nameof(c));
        long predicted = 0;
        for (int t = 0; t < ClassCount; t++) predicted += _counts[t * ClassCount + c];
        return predicted == 0 ? 0 : (double)_counts[c * ClassCount + c] / predicted;
    }

    /// <summary>A copy of the counts as [truth, predicted].</summary>
    public long[,] ToArray()
    {
        var result = new long[ClassCount, ClassCount];
        for (int t = 0; t < ClassCount; t++)
            for (int p = 0; p < ClassCount; p++) result[t, p] = _counts[t * ClassCount + p];
        return result;
    }

    /// <summary>The counts as a text table, one row per true class, with the recall at the end.</summary>
    public string ToString(System.Collections.Generic.IReadOnlyList<string>? classNames)
    {
        string Name(int c) => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const int cell = 9;
        var text = new StringBuilder();
        text.Append("true \\ predicted".PadRight(18));
        for (int p = 0; p < ClassCount; p++) text.Append(Clip(Name(p), cell - 1).PadLeft(cell));
        text.AppendLine("   recall");
        for (int t = 0; t < ClassCount; t++)
        {
            text.Append(("  " + Clip(Name(t), 16)).PadRight(18));
            for (int p = 0; p < ClassCount; p++) text.Append(_counts[t * ClassCount + p].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(cell));
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"   {100 * Recall(t),5:F1}%").AppendLine();
        }
        return text.ToString();
    }

    public override string ToString() => ToString(null);

    private static string Clip(string s, int length) => s.Length > length ? s[..length] : s;

    private void Check(int c, string name)
    {
        if ((uint)c >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException(name, c, $"Class {c} is outside [0, {ClassCount - 1}].");
    }
}
