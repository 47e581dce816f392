using System;

namespace DslNet.Data;

/// <summary>
/// The random numbers of an augmentation: a SplitMix64 stream that depends only on (seed, epoch,
/// batch, stage), so a batch is augmented the same way whatever ran before it, on any .NET version.
/// A struct: drawing allocates nothing.
/// </summary>
public struct AugmentationRandom
{
    private SplitMix64 _generator;
    private double _spare;
    private bool _hasSpare;

    /// <summary>The stream of batch <paramref name="batch"/> of epoch <paramref name="epoch"/> under <paramref name="seed"/>.</summary>
    public AugmentationRandom(int seed, int epoch, int batch)
        : this(Mix(Mix(Mix(0x5DEECE66DUL ^ (uint)seed) ^ (uint)epoch) ^ (uint)batch))
    {
    }

    private AugmentationRandom(ulong state)
    {
        _generator = new SplitMix64(state);
        _spare = 0;
        _hasSpare = false;
    }

    /// <summary>An independent stream for stage <paramref name="stage"/> of a pipeline, derived without advancing this one.</summary>
    public readonly AugmentationRandom Fork(int stage)
    {
        var copy = _generator;
        return new AugmentationRandom(Mix(copy.NextUInt64() ^ (0x9E3779B97F4A7C15UL * (ulong)(uint)(stage + 1))));
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound)
    {
        if (bound < 1) throw new ArgumentOutOfRangeException(nameof(bound), bound, "The bound must be at least 1.");
        return _generator.NextInt(bound);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (_generator.NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm stays finite
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    /// <summary>The SplitMix64 finaliser: spreads every input bit over the whole word.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
