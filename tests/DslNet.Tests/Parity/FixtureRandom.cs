using System;
using System.Text;

namespace DslNet.Tests.Parity;

/// <summary>
/// The counter-based generator of tests/fixtures/make_fixtures.py (`uniform`, `generate`), bit for
/// bit: the fixtures store only the weights small enough to commit, and the tests regenerate the
/// others from the name and the "gen/" metadata.
/// </summary>
public static class FixtureRandom
{
    public static uint Fnv1a(string text)
    {
        uint h = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text)) h = unchecked((h ^ b) * 16777619);
        return h;
    }

    /// <summary>value[i] = float(u_i)·scale + offset with u_i in [−1, 1), each step rounded to float32.</summary>
    public static void Fill(string name, Span<float> destination, float scale, float offset)
    {
        uint seed = Fnv1a(name);
        for (int i = 0; i < destination.Length; i++)
        {
            uint h = unchecked((uint)i * 2654435761u + seed);
            h ^= h >> 15;
            h = unchecked(h * 2246822519u);
            h ^= h >> 13;
            int u24 = (int)(h >> 8);
            float u = (float)(2 * u24 - (1 << 24)) / (1 << 24);
            float scaled = u * scale;
            destination[i] = scaled + offset;
        }
    }
}
