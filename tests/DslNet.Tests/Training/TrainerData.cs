using System;
using DslNet.Data;

namespace DslNet.Tests.Training;

/// <summary>Generated datasets for the Trainer tests.</summary>
internal static class TrainerData
{
    /// <summary>Gaussian blobs: class c centred at 2·e_c (in 6-D), noise σ = 0.6. Learnable, not trivially.</summary>
    public static Dataset Blobs(int count, int seed, int classes = 3, int features = 6)
    {
        var random = new Random(seed);
        var x = new float[count * features];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = i % classes;
            for (int f = 0; f < features; f++)
                x[i * features + f] = (f == y[i] ? 2f : 0f) + 0.6f * Normal(random);
        }
        return new Dataset(x, y, [features], classes);
    }

    /// <summary>Random features with random labels: a network can only memorise them, so validation loss rises.</summary>
    public static Dataset Noise(int count, int seed, int classes = 3, int features = 6)
    {
        var random = new Random(seed);
        var x = new float[count * features];
        var y = new int[count];
        for (int i = 0; i < x.Length; i++) x[i] = Normal(random);
        for (int i = 0; i < count; i++) y[i] = random.Next(classes);
        return new Dataset(x, y, [features], classes);
    }

    /// <summary>6×6 one-channel images: class c has a bright c-th quadrant (c &lt; 4), plus noise.</summary>
    public static Dataset Images(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 36];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = y[i] = i % 4;
            for (int r = 0; r < 6; r++)
                for (int col = 0; col < 6; col++)
                {
                    int quadrant = (r / 3) * 2 + col / 3;
                    x[i * 36 + r * 6 + col] = (quadrant == c ? 1f : 0f) + 0.3f * Normal(random);
                }
        }
        return new Dataset(x, y, [1, 6, 6], 4);
    }

    public static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
