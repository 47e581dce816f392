using System;

namespace DslNet.Data;

/// <summary>
/// An in-place, seeded transformation of a batch of images [C, H, W] (channels first, back to back),
/// for training only. The draws of a batch depend only on (seed, epoch, batch index), so a run is
/// reproducible; after its first call an augmentation allocates nothing. Use one with
/// <see cref="Training.TrainerOptions.Augmentation"/>, or call <see cref="Apply"/> in your own loop:
/// <code>
/// var augment = Augmentation.Compose(Augmentation.RandomCrop(padding: 2), Augmentation.HorizontalFlip());
/// </code>
/// </summary>
public abstract class Augmentation
{
    /// <summary>Pads by <paramref name="padding"/> pixels of <paramref name="fill"/> on every side and crops back to H×W at a random offset.</summary>
    public static RandomCrop RandomCrop(int padding, float fill = 0f) => new(padding, fill);

    /// <summary>Mirrors each image left–right with probability <paramref name="probability"/>.</summary>
    public static HorizontalFlip HorizontalFlip(double probability = 0.5) => new(probability);

    /// <summary>Adds independent N(0, σ²) noise to every value.</summary>
    public static GaussianNoise GaussianNoise(double standardDeviation) => new(standardDeviation);

    /// <summary>Applies the augmentations in order, each with its own random stream.</summary>
    public static AugmentationPipeline Compose(params Augmentation[] stages) => new(stages);

    /// <summary>
    /// Transforms the first <paramref name="count"/> images of <paramref name="images"/> in place.
    /// <paramref name="imageShape"/> is [C, H, W]; the random draws depend only on
    /// (<paramref name="seed"/>, <paramref name="epoch"/>, <paramref name="batch"/>).
    /// </summary>
    public void Apply(Span<float> images, int count, ReadOnlySpan<int> imageShape, int seed, int epoch, int batch)
    {
        if (imageShape.Length != 3 || imageShape[0] < 1 || imageShape[1] < 1 || imageShape[2] < 1)
            throw new ArgumentException($"{GetType().Name} works on images [C, H, W]; the sample shape is [{string.Join(", ", imageShape.ToArray())}].", nameof(imageShape));
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The image count cannot be negative.");
        var shape = new ImageShape(imageShape[0], imageShape[1], imageShape[2]);
        if ((long)count * shape.Size > images.Length)
            throw new ArgumentException($"{count} images of [{shape}] need {(long)count * shape.Size} values; the span has {images.Length}.", nameof(images));
        var random = new AugmentationRandom(seed, epoch, batch);
        ApplyCore(images[..(count * shape.Size)], count, shape, ref random);
    }

    /// <summary>Transforms <paramref name="count"/> images (arguments already checked). Must not allocate after the first call.</summary>
    protected internal abstract void ApplyCore(Span<float> images, int count, ImageShape shape, ref AugmentationRandom random);
}

/// <summary>The shape of one image: channels, height, width.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;
    public override string ToString() => $"{Channels}, {Height}, {Width}";
}

/// <summary>Several augmentations in a row (see <see cref="Augmentation.Compose"/>).</summary>
public sealed class AugmentationPipeline : Augmentation
{
    private readonly Augmentation[] _stages;

    public AugmentationPipeline(params Augmentation[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        for (int i = 0; i < stages.Length; i++)
            if (stages[i] is null) throw new ArgumentNullException(nameof(stages), $"Stage {i} of the pipeline is null.");
        _stages = (Augmentation[])stages.Clone();
    }

    public int Count => _stages.Length;

    protected internal override void ApplyCore(Span<float> images, int count, ImageShape shape, ref AugmentationRandom random)
    {
        // Each stage draws from its own stream: adding or changing one stage leaves the others' draws alone.
        for (int i = 0; i < _stages.Length; i++)
        {
            var stageRandom = random.Fork(i);
            _stages[i].ApplyCore(images, count, shape, ref stageRandom);
        }
    }

    public override string ToString() => "Compose(" + string.Join(", ", (object[])_stages) + ")";
}
