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
}
