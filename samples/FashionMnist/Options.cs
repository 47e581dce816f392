using System;
using System.Globalization;
using System.IO;

namespace FashionMnist;

/// <summary>Command-line options of the sample (all optional).</summary>
internal sealed record Options(
    string? DataFolder, int Epochs, int BatchSize, double LearningRate, string Models, int Seed, int Threads,
    double Validation, int? Patience, bool Augment, string OutputFolder)
{
    public const string Usage = """
        usage: dotnet run -c Release --project samples/FashionMnist -- [options]
          --data DIR        folder with the four Fashion-MNIST IDX files (default: Debian's package, else the bundled subset)
          --epochs N        epochs per model (default 5)
          --batch N         mini-batch size (default 64)
          --lr X            SGD learning rate, momentum 0.9 (default 0.01)
          --models LIST     lenet, mlp or lenet,mlp (default lenet,mlp)
          --seed N          initialisation and shuffling seed (default 0)
          --threads N       CPU threads (default: all cores)
          --validation X    fraction of the training set held out for validation (default 0.1; 0 for none)
          --patience N      stop when validation loss has not improved for N epochs (default 3; 0 for never)
          --augment         random crops (padding 2) and horizontal flips of the training images
          --out DIR         where the best models and training curves go (default runs/fashion-mnist)
        """;

    public static Options Parse(string[] args)
    {
        var options = new Options(null, 5, 64, 0.01, "lenet,mlp", 0, Environment.ProcessorCount, 0.1, 3, false, Path.Combine("runs", "fashion-mnist"));
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int Whole(int minimum)
            {
                string name = args[i];
                string text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= minimum ? v
                    : throw new ArgumentException($"{name} needs a whole number ≥ {minimum}, not '{text}'.");
            }
            double Real(double low, double high)
            {
                string name = args[i];
                string text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= low && v < high ? v
                    : throw new ArgumentException($"{name} needs a number in [{low}, {high}), not '{text}'.");
            }
            options = args[i] switch
            {
                "--data" => options with { DataFolder = Value() },
                "--epochs" => options with { Epochs = Whole(1) },
                "--batch" => options with { BatchSize = Whole(1) },
                "--lr" => options with { LearningRate = Real(double.Epsilon, double.PositiveInfinity) },
                "--models" => options with { Models = Value().ToLowerInvariant() },
                "--seed" => options with { Seed = Whole(0) },
                "--threads" => options with { Threads = Whole(1) },
                "--validation" => options with { Validation = Real(0, 1) },
                "--patience" => options with { Patience = Whole(0) is int p && p > 0 ? p : null },
                "--augment" => options with { Augment = true },
                "--out" => options with { OutputFolder = Value() },
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        return options;
    }
}
