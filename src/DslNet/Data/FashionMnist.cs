using System;
using System.Collections.Generic;
using System.IO;

namespace DslNet.Data;

/// <summary>Where <see cref="FashionMnist.Load"/> found its files.</summary>
public enum FashionMnistSource
{
    /// <summary>The folder passed by the caller.</summary>
    Folder,

    /// <summary>Debian's <c>dataset-fashion-mnist</c> package, /usr/share/datasets/fashion-mnist/ (the full set).</summary>
    Debian,

    /// <summary>The small subset bundled with the sample, data/ next to the running program.</summary>
    Bundled,
}

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT license): 28×28 grey images of 10 kinds of clothing.
/// <see cref="Load"/> looks, in this order, in the folder it is given; in Debian's package folder
/// <see cref="DebianFolder"/> (60,000 training and 10,000 test images); in <see cref="BundledFolder"/>,
/// where the FashionMnist sample ships a 9,000 / 2,000 stratified subset. Each folder must hold the
/// four files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
/// t10k-labels-idx1-ubyte, gzip-compressed (.gz) or plain.
/// </summary>
public sealed class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the data.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    public const int ClassCount = 10;
    public const int ImageSize = 28;

    /// <summary>The names of the 10 classes, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        Array.AsReadOnly(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>The bundled subset's folder: data/ next to the running program.</summary>
    public static string BundledFolder => Path.Combine(AppContext.BaseDirectory, "data");

    private static readonly string[] FileStems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private FashionMnist(Dataset train, Dataset test, FashionMnistSource source, string folder)
    {
        Train = train;
        Test = test;
        Source = source;
        Folder = folder;
    }

    /// <summary>The training images, pixels scaled to [0, 1], samples of shape [1, 28, 28].</summary>
    public Dataset Train { get; }

    /// <summary>The test images, pixels scaled to [0, 1], samples of shape [1, 28, 28].</summary>
    public Dataset Test { get; }

    /// <summary>Which of the three places the data came from.</summary>
    public FashionMnistSource Source { get; }

    /// <summary>The folder the files were read from.</summary>
    public string Folder { get; }

    public override string ToString() =>
        $"Fashion-MNIST from {Folder} ({Source switch { FashionMnistSource.Debian => "Debian package", FashionMnistSource.Bundled => "bundled subset", _ => "given folder" }}): " +
        $"{Train.Count:N0} training and {Test.Count:N0} test images";

    /// <summary>
    /// Loads the data from <paramref name="folder"/> when given (and fails if it lacks a file), else
    /// from the first of <see cref="DebianFolder"/> and <see cref="BundledFolder"/> that holds all four files.
    /// </summary>
    public static FashionMnist Load(string? folder = null)
    {
        var (found, source) = Locate(folder);
        string PathOf(int i) => FindFile(found, FileStems[i])!;
        var train = Dataset.FromIdx(PathOf(0), PathOf(1), ClassCount);
        var test = Dataset.FromIdx(PathOf(2), PathOf(3), ClassCount);
        foreach (var (name, set) in new[] { ("training", train), ("test", test) })
            if (set.SampleSize != ImageSize * ImageSize)
                throw new InvalidDataException(
                    $"The Fashion-MNIST {name} images in '{found}' have shape [{string.Join(", ", set.SampleShape.ToArray())}], not [1, {ImageSize}, {ImageSize}].");
        return new FashionMnist(train, test, source, found);
    }

    /// <summary>
    /// The folder <see cref="Load"/> would read and why, without reading it. Throws
    /// <see cref="DirectoryNotFoundException"/> or <see cref="FileNotFoundException"/> with the places
    /// looked at when there is none.
    /// </summary>
    public static (string Folder, FashionMnistSource Source) Locate(string? folder = null)
    {
        if (folder is not null)
        {
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"The Fashion-MNIST folder '{folder}' does not exist.");
            var missing = MissingFiles(folder);
            if (missing.Count > 0)
                throw new FileNotFoundException(
                    $"The Fashion-MNIST folder '{folder}' lacks {string.Join(", ", missing)} (plain or .gz).");
            return (folder, FashionMnistSource.Folder);
        }
        if (MissingFiles(DebianFolder).Count == 0) return (DebianFolder, FashionMnistSource.Debian);
        string bundled = BundledFolder;
        if (MissingFiles(bundled).Count == 0) return (bundled, FashionMnistSource.Bundled);
        throw new FileNotFoundException(
            $"Fashion-MNIST was not found: neither {DebianFolder} (install the Debian package dataset-fashion-mnist) " +
            $"nor the bundled subset in {bundled} (copy samples/FashionMnist/data/ to the program's output folder) " +
            "holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz). " +
            "Pass the folder that holds them to FashionMnist.Load.");
    }

    private static List<string> MissingFiles(string folder)
    {
        var missing = new List<string>();
        foreach (string stem in FileStems)
            if (FindFile(folder, stem) is null) missing.Add(stem);
        return missing;
    }

    /// <summary>The .gz file if present, else the plain one, else null.</summary>
    private static string? FindFile(string folder, string stem)
    {
        string gz = Path.Combine(folder, stem + ".gz");
        if (File.Exists(gz)) return gz;
        string plain = Path.Combine(folder, stem);
        return File.Exists(plain) ? plain : null;
    }
}
