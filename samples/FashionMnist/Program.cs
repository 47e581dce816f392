using System;
using System.Diagnostics;
using System.Linq;
using DslNet;
using DslNet.Backends.Cpu;
using DslNet.Data;
using DslNet.Training;
using FashionMnist;

// Trains LeNet-5 and an MLP (declared in Networks.cs) on Fashion-MNIST and shows what they learned.
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var data = DslNet.Data.FashionMnist.Load(options.DataFolder);
Console.WriteLine($"Fashion-MNIST ({data.Source}, {data.Folder}): {data.Train.Count:N0} training and {data.Test.Count:N0} test images.");
var backend = new CpuBackend(options.Threads);
Console.WriteLine($"Backend: {backend.Name}; batch {options.BatchSize}; SGD lr {options.LearningRate}, momentum 0.9; {options.Epochs} epochs.");

foreach (string model in options.Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
{
    Network net = model switch
    {
        "lenet" => new LeNet5(options.BatchSize, options.Seed, backend),
        "mlp" => new Mlp(options.BatchSize, options.Seed, backend),
        _ => throw new ArgumentException($"Unknown model '{model}': use lenet or mlp."),
    };
    Console.WriteLine();
    Console.WriteLine(model == "lenet" ? LeNet5.Summary : Mlp.Summary);
    Train(net, data, options);
    ShowWhatItLearned(net, data);
}
return 0;

static void Train(Network net, DslNet.Data.FashionMnist data, Options options)
{
    var optimizer = new Sgd(options.LearningRate, momentum: 0.9);
    var batches = data.Train.Batches(options.BatchSize, shuffle: true, seed: options.Seed + 1);
    int classes = net.Layout.Outputs[0].Shape[^1];
    for (int epoch = 1; epoch <= options.Epochs; epoch++)
    {
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        int correct = 0, seen = 0, done = 0;
        foreach (var batch in batches)
        {
            float loss = net.TrainStep(batch.Features, batch.Labels, optimizer);
            lossSum += loss * batch.Count;
            correct += CountCorrect(net.Output().Span, batch.Labels, classes);
            seen += batch.Count;
            Report.Progress($"epoch {epoch}", ++done, batches.BatchesPerEpoch, lossSum / seen);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double testAccuracy = Accuracy(net, data.Test, out _);
        Console.WriteLine($"  epoch {epoch}/{options.Epochs}  loss {lossSum / seen:F4}  train accuracy {100.0 * correct / seen:F2}%  test accuracy {100 * testAccuracy:F2}%  ({seconds:F1} s)");
    }
}

static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
{
    int correct = 0;
    for (int i = 0; i < labels.Length; i++)
    {
        var row = logits.Slice(i * classes, classes);
        int best = 0;
        for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
        if (best == labels[i]) correct++;
    }
    return correct;
}

static double Accuracy(Network net, Dataset test, out int[,] confusion)
{
    int classes = net.Layout.Outputs[0].Shape[^1];
    confusion = new int[classes, classes];
    var predicted = new int[net.MaxBatch];
    int correct = 0;
    foreach (var batch in test.Batches(net.MaxBatch, shuffle: false, seed: 0))
    {
        net.Predict(batch.Features, predicted);
        for (int i = 0; i < batch.Count; i++)
        {
            confusion[batch.Labels[i], predicted[i]]++;
            if (predicted[i] == batch.Labels[i]) correct++;
        }
    }
    return (double)correct / test.Count;
}

static void ShowWhatItLearned(Network net, DslNet.Data.FashionMnist data)
{
    var names = DslNet.Data.FashionMnist.ClassNames;
    double accuracy = Accuracy(net, data.Test, out var confusion);
    Console.WriteLine();
    Console.WriteLine($"{net.Layout.Name}: test accuracy {100 * accuracy:F2}% on {data.Test.Count:N0} images.");
    Console.WriteLine(Report.ConfusionMatrix(confusion, names));

    // Six test images side by side with what the network says.
    int[] picks = Enumerable.Range(0, 6).Select(i => i * (data.Test.Count / 6)).ToArray();
    var art = picks.Select(i => Report.Ascii(data.Test.Sample(i))).ToArray();
    var captions = picks.Select(i =>
    {
        int guess = net.Predict(data.Test.Sample(i));
        int truth = data.Test.Label(i);
        return (guess == truth ? "ok " : "NO ") + names[guess] + (guess == truth ? "" : $" ({names[truth]})");
    }).ToArray();
    Console.WriteLine(string.Join("  ", captions.Select(c => c.Length > 28 ? c[..28] : c.PadRight(28))));
    for (int line = 0; line < art[0].Length; line++)
        Console.WriteLine(string.Join("  ", art.Select(a => a[line])));
}
