using System;
using System.Linq;
using DslNet.Data;
using Xunit;

namespace DslNet.Tests.Data;

/// <summary>Image augmentations: reproducibility, exact geometry against naive references, noise statistics, no allocation.</summary>
public sealed class AugmentationTests
{
    private static readonly int[] Shape = [2, 5, 7]; // C, H, W: non-square, several channels

    private static float[] Images(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * 70).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static float[] Apply(Augmentation augmentation, float[] images, int count, int seed, int epoch = 0, int batch = 0)
    {
        var copy = (float[])images.Clone();
        augmentation.Apply(copy, count, Shape, seed, epoch, batch);
        return copy;
    }

    public static TheoryData<string> All => ["crop", "flip", "noise", "compose"];

    private static Augmentation Make(string name) => name switch
    {
        "crop" => Augmentation.RandomCrop(2),
        "flip" => Augmentation.HorizontalFlip(),
        "noise" => Augmentation.GaussianNoise(0.1),
        _ => Augmentation.Compose(Augmentation.RandomCrop(2), Augmentation.HorizontalFlip(), Augmentation.GaussianNoise(0.1)),
    };

    [Theory]
    [MemberData(nameof(All))]
    public void The_same_seed_epoch_and_batch_give_the_same_result_and_others_differ(string name)
    {
        var images = Images(8, seed: 1);
        var a = Apply(Make(name), images, 8, seed: 3, epoch: 1, batch: 2);
        var b = Apply(Make(name), images, 8, seed: 3, epoch: 1, batch: 2); // a fresh instance: no hidden state
        Assert.Equal(a, b);
        Assert.NotEqual(images, a);
        Assert.NotEqual(a, Apply(Make(name), images, 8, seed: 4, epoch: 1, batch: 2));
        Assert.NotEqual(a, Apply(Make(name), images, 8, seed: 3, epoch: 2, batch: 2));
        Assert.NotEqual(a, Apply(Make(name), images, 8, seed: 3, epoch: 1, batch: 3));
    }

    [Fact]
    public void Flipping_twice_with_the_same_draws_is_the_identity()
    {
        var images = Images(16, seed: 2);
        var flip = Augmentation.HorizontalFlip(0.5);
        var once = Apply(flip, images, 16, seed: 5);
        Assert.NotEqual(images, once);
        var twice = (float[])once.Clone();
        flip.Apply(twice, 16, Shape, 5, 0, 0);
        Assert.Equal(images, twice);
    }

    [Fact]
    public void A_certain_flip_mirrors_every_row_of_every_channel()
    {
        var images = Images(3, seed: 3);
        var flipped = Apply(Augmentation.HorizontalFlip(1.0), images, 3, seed: 0);
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 5; y++)
                    for (int x = 0; x < 7; x++)
                        Assert.Equal(images[((n * 2 + c) * 5 + y) * 7 + (6 - x)], flipped[((n * 2 + c) * 5 + y) * 7 + x]);
        Assert.Equal(images, Apply(Augmentation.HorizontalFlip(0.0), images, 3, seed: 0));
    }

    [Fact]
    public void A_crop_with_padding_zero_or_offset_zero_is_the_identity()
    {
        var images = Images(4, seed: 4);
        Assert.Equal(images, Apply(Augmentation.RandomCrop(0), images, 4, seed: 9));
        var image = images.AsSpan(0, 70).ToArray();
        RandomCrop.CropAt(image, new ImageShape(2, 5, 7), 0, 0, fill: -1, new float[70]);
        Assert.Equal(images.AsSpan(0, 70).ToArray(), image);
    }

    /// <summary>The padded image built explicitly, then the window at (dy, dx) cut out of it.</summary>
    private static float[] NaiveCrop(float[] image, int channels, int h, int w, int padding, int dy, int dx, float fill)
    {
        int ph = h + 2 * padding, pw = w + 2 * padding;
        var padded = new float[channels * ph * pw];
        Array.Fill(padded, fill);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    padded[(c * ph + y + padding) * pw + x + padding] = image[(c * h + y) * w + x];
        var result = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    result[(c * h + y) * w + x] = padded[(c * ph + y + dy) * pw + x + dx];
        return result;
    }

    [Fact]
    public void Every_crop_offset_matches_the_padded_reference()
    {
        var image = Images(1, seed: 5);
        const int padding = 3; // larger than the height in places: whole rows of fill
        for (int dy = 0; dy <= 2 * padding; dy++)
            for (int dx = 0; dx <= 2 * padding; dx++)
            {
                var actual = (float[])image.Clone();
                RandomCrop.CropAt(actual, new ImageShape(2, 5, 7), dy - padding, dx - padding, fill: -0.5f, new float[70]);
                Assert.Equal(NaiveCrop(image, 2, 5, 7, padding, dy, dx, -0.5f), actual);
            }
    }

    [Fact]
    public void A_random_crop_gives_each_image_one_of_the_padded_windows_and_uses_them_all()
    {
        const int count = 200, padding = 1;
        var images = Images(count, seed: 6);
        var cropped = Apply(Augmentation.RandomCrop(padding), images, count, seed: 7);
        var used = new bool[3, 3];
        for (int n = 0; n < count; n++)
        {
            var image = images.AsSpan(n * 70, 70).ToArray();
            var result = cropped.AsSpan(n * 70, 70).ToArray();
            int matches = 0;
            for (int dy = 0; dy < 3; dy++)
                for (int dx = 0; dx < 3; dx++)
                    if (NaiveCrop(image, 2, 5, 7, padding, dy, dx, 0).SequenceEqual(result)) { matches++; used[dy, dx] = true; }
            Assert.Equal(1, matches);
        }
        Assert.All(used.Cast<bool>(), Assert.True);
    }

    [Fact]
    public void Gaussian_noise_has_the_requested_mean_and_spread()
    {
        const double sigma = 0.5;
        const int count = 1500; // 105,000 values
        var zeros = new float[count * 70];
        var noisy = Apply(Augmentation.GaussianNoise(sigma), zeros, count, seed: 11);
        int n = noisy.Length;
        double mean = noisy.Average(v => (double)v);
        double std = Math.Sqrt(noisy.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double withinOne = noisy.Count(v => Math.Abs(v) < sigma) / (double)n;
        double skew = noisy.Average(v => Math.Pow((v - mean) / std, 3));
        double kurtosis = noisy.Average(v => Math.Pow((v - mean) / std, 4));
        Assert.InRange(mean, -4 * sigma / Math.Sqrt(n), 4 * sigma / Math.Sqrt(n));
        Assert.InRange(std, sigma * 0.99, sigma * 1.01);            // sd of the estimate ≈ σ/√(2n) ≈ 0.2 %
        Assert.InRange(withinOne, 0.6827 - 0.006, 0.6827 + 0.006);  // P(|Z| < 1), sd ≈ 0.0014
        Assert.InRange(skew, -0.03, 0.03);
        Assert.InRange(kurtosis, 3 - 0.06, 3 + 0.06);
        Assert.Equal(zeros.Length, noisy.Length);
        Assert.Equal(Apply(Augmentation.GaussianNoise(0), Images(2, 1), 2, seed: 1), Images(2, 1));
    }

    [Fact]
    public void After_the_first_batch_augmenting_allocates_nothing()
    {
        var augmentation = Make("compose");
        var images = Images(8, seed: 1);
        augmentation.Apply(images, 8, Shape, 1, 0, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int batch = 1; batch < 5; batch++) augmentation.Apply(images, 8, Shape, 1, 0, batch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var images = Images(2, seed: 1);
        var shape = Assert.Throws<ArgumentException>(() => Augmentation.HorizontalFlip().Apply(images, 2, [70], 0, 0, 0));
        Assert.Contains("[C, H, W]", shape.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => Augmentation.HorizontalFlip().Apply(images, 3, Shape, 0, 0, 0));
        Assert.Contains("3 images", tooMany.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Augmentation.RandomCrop(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augmentation.HorizontalFlip(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augmentation.GaussianNoise(double.NaN));
    }
}
