using System;

namespace DslNet.Data;

/// <summary>Adds independent Gaussian noise N(0, σ²) to every value of every image.</summary>
public sealed class GaussianNoise : Augmentation
{
    public GaussianNoise(double standardDeviation)
    {
        if (!(standardDeviation >= 0) || double.IsInfinity(standardDeviation))
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "The noise standard deviation must be finite and ≥ 0.");
        StandardDeviation = standardDeviation;
    }

    public double StandardDeviation { get; }

    protected internal override void ApplyCore(Span<float> images, int count, ImageShape shape, ref AugmentationRandom random)
    {
        if (StandardDeviation == 0) return;
        double sigma = StandardDeviation;
        for (int i = 0; i < images.Length; i++) images[i] += (float)(sigma * random.NextGaussian());
    }

    public override string ToString() => $"GaussianNoise(standardDeviation: {StandardDeviation})";
}
