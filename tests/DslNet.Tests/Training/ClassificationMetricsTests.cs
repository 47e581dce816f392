using System;
using System.Linq;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

/// <summary>Accuracy, top-k and the confusion matrix against naive counts (sorting, argmax loops).</summary>
public sealed class ClassificationMetricsTests
{
    /// <summary>The k best classes of a row by a stable sort on descending score (ties: lower index first).</summary>
    private static int[] NaiveTopK(float[] row, int k) =>
        Enumerable.Range(0, row.Length).OrderByDescending(j => row[j]).Take(k).ToArray();

    private static (float[] Scores, int[] Labels) RandomBatch(int rows, int classes, int seed)
    {
        var random = new Random(seed);
        // Scores on a coarse grid so that ties happen often.
        var scores = Enumerable.Range(0, rows * classes).Select(_ => (float)random.Next(-3, 4)).ToArray();
        var labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        return (scores, labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Top_k_counts_match_a_sort(int k)
    {
        const int rows = 500, classes = 5;
        var (scores, labels) = RandomBatch(rows, classes, seed: k);
        long correct = 0, topK = 0;
        var confusion = new ConfusionMatrix(classes);
        ClassificationMetrics.Accumulate(scores, labels, classes, k, ref correct, ref topK, confusion);

        int naiveTop1 = 0, naiveTopK = 0;
        var naiveConfusion = new long[classes, classes];
        for (int i = 0; i < rows; i++)
        {
            var row = scores.AsSpan(i * classes, classes).ToArray();
            int predicted = 0;
            for (int j = 1; j < classes; j++) if (row[j] > row[predicted]) predicted = j;
            naiveConfusion[labels[i], predicted]++;
            if (predicted == labels[i]) naiveTop1++;
            if (NaiveTopK(row, k).Contains(labels[i])) naiveTopK++;
        }
        Assert.Equal(naiveTop1, correct);
        Assert.Equal(naiveTopK, topK);
        Assert.Equal(naiveConfusion, confusion.ToArray());
        Assert.Equal(rows, confusion.Total);
        Assert.Equal((double)naiveTop1 / rows, confusion.Accuracy, 12);
    }

    [Fact]
    public void Recall_and_precision_follow_the_rows_and_columns()
    {
        var confusion = new ConfusionMatrix(3);
        (int T, int P)[] pairs = [(0, 0), (0, 0), (0, 1), (1, 1), (2, 1), (2, 2), (2, 2), (2, 0)];
        foreach (var (t, p) in pairs) confusion.Add(t, p);
        Assert.Equal(2.0 / 3, confusion.Recall(0), 12);
        Assert.Equal(2.0 / 3, confusion.Precision(0), 12); // column 0: (0,0),(0,0),(2,0)
        Assert.Equal(1.0 / 3, confusion.Precision(1), 12); // column 1: (0,1),(1,1),(2,1)
        Assert.Equal(4, confusion.Support(2));
        Assert.Equal(5.0 / 8, confusion.Accuracy, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => confusion.Add(3, 0));
        Assert.Contains("recall", confusion.ToString(["a", "b", "c"]));
    }

    [Fact]
    public void Trainer_evaluate_matches_naive_loss_accuracy_top_k_and_confusion()
    {
        var net = new TinyClassifier(maxBatch: 7, seed: 2);
        var trainer = new Trainer(net, new Sgd(0.1), new TrainerOptions { Epochs = 2, BatchSize = 7, TopK = 2 });
        var data = TrainerData.Blobs(50, seed: 3);
        trainer.Fit(data);

        var evaluation = trainer.Evaluate(data);

        // Naive: one sample at a time through Forward, softmax cross-entropy in double.
        double loss = 0;
        int top1 = 0, top2 = 0;
        var confusion = new long[3, 3];
        for (int i = 0; i < data.Count; i++)
        {
            float[] logits = net.Forward(data.Sample(i)).ToArray();
            double max = logits.Max();
            double logSum = Math.Log(logits.Sum(v => Math.Exp(v - max))) + max;
            int label = data.Label(i);
            loss += logSum - logits[label];
            int predicted = NaiveTopK(logits, 1)[0];
            confusion[label, predicted]++;
            if (predicted == label) top1++;
            if (NaiveTopK(logits, 2).Contains(label)) top2++;
        }
        Assert.Equal(loss / data.Count, evaluation.Loss, 5);
        Assert.Equal((double)top1 / data.Count, evaluation.Accuracy);
        Assert.Equal((double)top2 / data.Count, evaluation.TopKAccuracy);
        Assert.Equal(2, evaluation.TopK);
        Assert.Equal(50, evaluation.Count);
        Assert.Equal(confusion, evaluation.Confusion.ToArray());
    }
}
