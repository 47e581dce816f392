using System;
using System.IO;
using System.Linq;
using DslNet;
using DslNet.Backends.Cpu;
using DslNet.Data;
using DslNet.Reporting;
using DslNet.Training;
using FashionMnist;
using Spectre.Console;

// Trains LeNet-5 and an MLP (declared in Networks.cs) on Fashion-MNIST with DslNet's Trainer, keeps
// the best model and its training curves in runs/fashion-mnist, and shows what each network learned.
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
using var backend = new CpuBackend(options.Threads);
Console.WriteLine($"Backend: {backend.Name}; batch {options.BatchSize}; SGD lr {options.LearningRate}, momentum 0.9; {options.Epochs} epochs; " +
    $"{(options.Validation > 0 ? $"{options.Validation:P0} of the training set for validation" : "no validation set")}" +
    $"{(options.Patience is int p ? $", early stopping after {p} epochs without improvement" : "")}{(options.Augment ? "; augmented" : "")}.");
Directory.CreateDirectory(options.OutputFolder);

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

    string name = net.Layout.Name.ToLowerInvariant();
    string checkpoint = Path.Combine(options.OutputFolder, $"{name}.safetensors");
    string curves = Path.Combine(options.OutputFolder, $"{name}-training-curves.svg");
    var display = new TrainingDisplay(data.Test);
    var trainer = new Trainer(net, new Sgd(options.LearningRate, momentum: 0.9), new TrainerOptions
    {
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        Seed = options.Seed + 1,
        ValidationFraction = options.Validation,
        EarlyStoppingPatience = options.Patience,
        CheckpointPath = checkpoint,
        RestoreBestWeights = true,
        Augmentation = options.Augment ? Augmentation.Compose(Augmentation.RandomCrop(padding: 2), Augmentation.HorizontalFlip()) : null,
        Callbacks = [display],
        ProgressInterval = 5,
    });
    var result = display.Run(progress => trainer.Fit(data.Train, progress: progress));

    Console.WriteLine(result.Message);
    if (result.History.Count > 0)
    {
        TrainingCurves.Save(result, curves, $"{net.Layout.Name} on Fashion-MNIST ({result.TrainingSamples:N0} training images)");
        Console.WriteLine($"Best model: {checkpoint} (epoch {result.BestEpoch}); training curves: {curves}");
    }
    if (result.StopReason == StopReason.NonFinite && result.BestEpoch == 0) continue; // nothing learned to show
    ShowWhatItLearned(trainer, data);
}
return 0;

static void ShowWhatItLearned(Trainer trainer, DslNet.Data.FashionMnist data)
{
    var net = trainer.Network;
    var names = DslNet.Data.FashionMnist.ClassNames;
    var test = trainer.Evaluate(data.Test);
    Console.WriteLine();
    Console.WriteLine($"{net.Layout.Name}: test accuracy {100 * test.Accuracy:F2}% (top-{test.TopK} {100 * test.TopKAccuracy:F2}%) on {data.Test.Count:N0} images.");
    Console.WriteLine(test.Confusion.ToString(names));

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
