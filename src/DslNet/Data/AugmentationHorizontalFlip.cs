using System;

namespace DslNet.Data;

/// <summary>Mirrors each image left–right (every row of every channel reversed) with probability <see cref="Probability"/>.</summary>
public sealed class HorizontalFlip : Augmentation
{
    public HorizontalFlip(double probability = 0.5)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The flip probability must be in [0, 1].");
        Probability = probability;
    }

    public double Probability { get; }

    protected internal override void ApplyCore(Span<float> images, int count, ImageShape shape, ref AugmentationRandom random)
    {
        for (int i = 0; i < count; i++)
        {
            // One draw per image whatever the probability, so the stream stays aligned across settings.
            if (random.NextDouble() >= Probability) continue;
            var image = images.Slice(i * shape.Size, shape.Size);
            for (int row = 0; row < shape.Channels * shape.Height; row++) image.Slice(row * shape.Width, shape.Width).Reverse();
        }
    }

    public override string ToString() => $"HorizontalFlip(probability: {Probability})";
}
