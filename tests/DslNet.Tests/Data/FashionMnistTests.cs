using System;
using System.IO;
using System.Linq;
using DslNet.Data;
using Xunit;

namespace DslNet.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Class_names_follow_the_label_order()
    {
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Sneaker", FashionMnist.ClassNames[7]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Loads_an_explicit_folder(bool gzip)
    {
        Idx.WritePair(_folder, "train", 12, 28, 28, 10, gzip);
        Idx.WritePair(_folder, "t10k", 5, 28, 28, 10, gzip);
        var data = FashionMnist.Load(_folder.Path);
        Assert.Equal(FashionMnistSource.Folder, data.Source);
        Assert.Equal(_folder.Path, data.Folder);
        Assert.Equal(12, data.Train.Count);
        Assert.Equal(5, data.Test.Count);
        Assert.Equal(new[] { 1, 28, 28 }, data.Train.SampleShape.ToArray());
        Assert.Equal(10, data.Test.ClassCount);
        Assert.Contains("12 training and 5 test images", data.ToString());
    }

    [Fact]
    public void An_explicit_folder_missing_a_file_is_an_error_not_a_fallback()
    {
        Idx.WritePair(_folder, "train", 3, 28, 28, 10, gzip: true);
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_folder.Path));
        Assert.Contains(_folder.Path, e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.DoesNotContain("train-images", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(_folder.File("missing")));
    }

    [Fact]
    public void Images_of_another_size_are_rejected()
    {
        Idx.WritePair(_folder, "train", 3, 8, 8, 10, gzip: true);
        Idx.WritePair(_folder, "t10k", 3, 8, 8, 10, gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_folder.Path));
        Assert.Contains("[1, 8, 8]", e.Message);
    }

    [Fact]
    public void Without_a_folder_the_Debian_package_comes_first()
    {
        // Depends on the machine: with Debian's dataset-fashion-mnist installed the full set is
        // chosen; without it, the bundled subset next to the program (absent in the test output),
        // and with neither, a message that says where it looked.
        bool debian = new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" }
            .All(f => File.Exists(Path.Combine(FashionMnist.DebianFolder, f)));
        if (debian)
        {
            Assert.Equal((FashionMnist.DebianFolder, FashionMnistSource.Debian), FashionMnist.Locate());
        }
        else
        {
            var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Locate());
            Assert.Contains(FashionMnist.DebianFolder, e.Message);
            Assert.Contains(FashionMnist.BundledFolder, e.Message);
        }
    }

    [Fact]
    public void The_bundled_subset_is_balanced_and_well_formed()
    {
        string folder = Path.Combine(RepositoryRoot(), "samples", "FashionMnist", "data");
        var data = FashionMnist.Load(folder);
        Assert.Equal(9000, data.Train.Count);
        Assert.Equal(2000, data.Test.Count);
        Assert.All(data.Train.ClassCounts(), c => Assert.Equal(900, c));
        Assert.All(data.Test.ClassCounts(), c => Assert.Equal(200, c));
        float max = 0;
        foreach (float v in data.Test.Features) max = Math.Max(max, v);
        Assert.Equal(1f, max);
        long bytes = Directory.GetFiles(folder, "*.gz").Sum(f => new FileInfo(f).Length);
        Assert.InRange(bytes, 1, 5_000_000);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "samples")) && Directory.Exists(Path.Combine(dir.FullName, "src", "DslNet")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No repository root above {AppContext.BaseDirectory}.");
    }
}
