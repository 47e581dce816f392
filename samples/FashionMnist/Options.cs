using System;
using System.Globalization;

namespace FashionMnist;

/// <summary>Command-line options of the sample (all optional).</summary>
internal sealed record Options(string? DataFolder, int Epochs, int BatchSize, double LearningRate, string Models, int Seed, int Threads)
{
    public const string Usage = """
        usage: dotnet run -c Release --project samples/FashionMnist -- [options]
          --data DIR       folder with the four Fashion-MNIST IDX files (default: Debian's package, else the bundled subset)
          --epochs N       epochs per model (default 5)
          --batch N        mini-batch size (default 64)
          --lr X           SGD learning rate, momentum 0.9 (default 0.01)
          --models LIST    lenet, mlp or lenet,mlp (default lenet,mlp)
          --seed N         initialisation and shuffling seed (default 0)
          --threads N      CPU threads (default: all cores)
        """;

    public static Options Parse(string[] args)
    {
        var options = new Options(null, 5, 64, 0.01, "lenet,mlp", 0, Environment.ProcessorCount);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new ArgumentException($"{args[i - 1]} needs a positive whole number, not '{args[i]}'.");
            options = args[i] switch
            {
                "--data" => options with { DataFolder = Value() },
                "--epochs" => options with { Epochs = Int() },
                "--batch" => options with { BatchSize = Int() },
                "--lr" => options with { LearningRate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--models" => options with { Models = Value().ToLowerInvariant() },
                "--seed" => options with { Seed = Int() },
                "--threads" => options with { Threads = Int() },
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        return options;
    }
}
