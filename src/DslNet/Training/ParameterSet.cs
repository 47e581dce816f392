using System;
using System.Collections.Generic;
using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// Named tensors stored back to back in ONE device buffer, so that optimizers, gradient clipping and
/// checkpoints work on a single contiguous range. A network has two sets: its trainable parameters
/// (with a gradient buffer of the same layout) and its non-trainable state (BatchNorm running
/// statistics), which is saved but never optimised.
/// </summary>
public sealed class ParameterSet
{
    private readonly ParameterSpec[] _specs;
    private readonly int[] _offsets;
    private readonly Dictionary<string, int> _indexByName;

    public ParameterSet(Backend backend, ParameterSpec[] specs, bool trainable)
    {
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _specs = specs;
        _offsets = new int[specs.Length];
        _indexByName = new Dictionary<string, int>(specs.Length, StringComparer.Ordinal);
        long total = 0;
        for (int i = 0; i < specs.Length; i++)
        {
            if (!_indexByName.TryAdd(specs[i].Name, i))
                throw new ArgumentException($"Two parameters are named '{specs[i].Name}'.", nameof(specs));
            _offsets[i] = (int)total;
            total += specs[i].Length;
        }
        if (total > int.MaxValue) throw new ArgumentException($"{total} parameters do not fit one buffer.", nameof(specs));
        Count = (int)total;
        Values = backend.Allocate(Count);
        Gradients = trainable ? backend.Allocate(Count) : null;
    }

    public Backend Backend { get; }

    /// <summary>Total number of elements.</summary>
    public int Count { get; }

    /// <summary>All values, back to back in the order of <see cref="Specs"/>.</summary>
    public DeviceBuffer Values { get; }

    /// <summary>All gradients in the same layout, or null for non-trainable state.</summary>
    public DeviceBuffer? Gradients { get; }

    public IReadOnlyList<ParameterSpec> Specs => _specs;

    public int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out int index) ? index
            : throw new KeyNotFoundException($"There is no tensor named '{name}'. Known: {string.Join(", ", _indexByName.Keys)}.");

    public BufferView Value(int index) => Values.Slice(_offsets[index], _specs[index].Length);

    public BufferView Gradient(int index) =>
        Gradients is null ? throw new InvalidOperationException("Non-trainable state has no gradients.")
            : Gradients.Slice(_offsets[index], _specs[index].Length);

    public BufferView Value(string name) => Value(IndexOf(name));

    public BufferView Gradient(string name) => Gradient(IndexOf(name));

    /// <summary>Initialises every tensor from its spec with a generator seeded by <paramref name="seed"/>.</summary>
    public void Initialize(int seed)
    {
        var random = new Random(seed);
        var host = new float[Count];
        for (int i = 0; i < _specs.Length; i++)
            Initializers.Fill(_specs[i], host.AsSpan(_offsets[i], _specs[i].Length), random);
        Backend.CopyFromHost(host, Values.View);
    }

    /// <summary>Sets every gradient to zero (called before each backward pass).</summary>
    public void ZeroGradients()
    {
        if (Gradients is not null) Backend.Fill(Gradients.View, 0f);
    }

    /// <summary>
    /// The stretches of the gradient buffer outside the tensors <paramref name="skipped"/> (indices into
    /// <see cref="Specs"/>), as (offset, length) pairs with neighbours merged: what a training step
    /// zeroes when backward writes those tensors' gradients in full.
    /// </summary>
    internal (int Offset, int Length)[] GradientRunsOutside(IReadOnlyCollection<int>? skipped)
    {
        var skip = new bool[_specs.Length];
        foreach (int index in skipped ?? Array.Empty<int>())
        {
            if ((uint)index >= (uint)_specs.Length)
                throw new ArgumentOutOfRangeException(nameof(skipped), index,
                    $"There is no parameter tensor {index}: the set holds {_specs.Length}.");
            skip[index] = true;
        }
        var runs = new List<(int Offset, int Length)>();
        for (int i = 0; i < _specs.Length; i++)
        {
            if (skip[i] || _specs[i].Length == 0) continue;
            // Tensors lie back to back: one that starts where the last run ends extends it.
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Length == _offsets[i])
                runs[^1] = (runs[^1].Offset, runs[^1].Length + _specs[i].Length);
            else
                runs.Add((_offsets[i], _specs[i].Length));
        }
        return runs.ToArray();
    }

    /// <summary>Sets the gradients in <paramref name="runs"/> (from <see cref="GradientRunsOutside"/>) to zero.</summary>
    internal void ZeroGradients((int Offset, int Length)[] runs)
    {
        if (Gradients is null) return;
        foreach (var (offset, length) in runs) Backend.Fill(Gradients.Slice(offset, length), 0f);
    }
}
