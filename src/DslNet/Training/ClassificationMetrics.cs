using System;

namespace DslNet.Training;

/// <summary>
/// Accuracy and top-k accuracy from a batch of scores (logits or probabilities, one row of
/// <c>classes</c> values per sample). Ties are broken towards the lower class index, as
/// <see cref="Network.Predict(ReadOnlySpan{float}, Span{int})"/> does, so top-1 agrees with Predict.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// The position of class <paramref name="label"/> when the classes are sorted by descending
    /// score (0 = the prediction): the number of classes with a higher score, plus the number of
    /// lower-indexed classes with the same score.
    /// </summary>
    public static int RankOf(ReadOnlySpan<float> scores, int label)
    {
        if ((uint)label >= (uint)scores.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Class {label} is outside the {scores.Length} scores.");
        float s = scores[label];
        int rank = 0;
        for (int j = 0; j < scores.Length; j++)
            if (scores[j] > s || (j < label && scores[j] == s)) rank++;
        return rank;
    }

    /// <summary>The class with the highest score (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int j = 1; j < scores.Length; j++) if (scores[j] > scores[best]) best = j;
        return best;
    }

    /// <summary>
    /// Adds, over the samples of a batch, the number whose label is the prediction to
    /// <paramref name="correct"/>, the number whose label is among the <paramref name="k"/> best to
    /// <paramref name="topK"/>, and every (label, prediction) pair to <paramref name="confusion"/> when
    /// given. Allocates nothing.
    /// </summary>
    public static void Accumulate(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int classes, int k,
        ref long correct, ref long topK, ConfusionMatrix? confusion = null)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "There must be at least one class.");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (scores.Length != labels.Length * classes)
            throw new ArgumentException($"{scores.Length} scores do not make {labels.Length} rows of {classes} classes.", nameof(scores));
        for (int i = 0; i < labels.Length; i++)
        {
            var row = scores.Slice(i * classes, classes);
            int label = labels[i];
            int rank = RankOf(row, label);
            if (rank == 0) correct++;
            if (rank < k) topK++;
            confusion?.Add(label, rank == 0 ? label : ArgMax(row));
        }
    }
}
