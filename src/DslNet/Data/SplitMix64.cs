namespace DslNet.Data;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, 2014): a tiny, well-mixed generator, written out here so that
/// shuffles depend only on the seed — not on the .NET version's <see cref="System.Random"/> — and
/// so that drawing a permutation allocates nothing. The bundling script
/// samples/FashionMnist/tools/make_subset.py uses the same generator.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. one per epoch).</summary>
    public SplitMix64(int seed, int stream) => _state = ((ulong)(uint)seed << 32) | (uint)stream;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), by rejection so there is no modulo bias.</summary>
    public int NextInt(int bound)
    {
        ulong b = (ulong)bound;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % b + 1) % b; // largest multiple of b, minus one
        ulong r;
        do r = NextUInt64(); while (r > limit);
        return (int)(r % b);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(System.Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
