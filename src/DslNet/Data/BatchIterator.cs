using System;

namespace DslNet.Data;

/// <summary>
/// Mini-batches of a <see cref="Dataset"/>, copied into buffers that are allocated once (or given by
/// the caller) and reused, so iterating an epoch allocates nothing per batch. Each <c>foreach</c> is
/// one epoch:
/// <code>
/// var batches = train.Batches(64, shuffle: true, seed: 1);
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     foreach (Batch batch in batches)
///         net.TrainStep(batch.Features, batch.Labels, ...);
/// </code>
/// A batch's spans are valid until the next batch is fetched. Only one epoch may run at a time:
/// starting another invalidates the first one's enumerator.
/// </summary>
public sealed class BatchIterator
{
    private readonly Dataset _data;
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int[] _order;
    private int _generation;

    internal BatchIterator(Dataset data, int batchSize, bool shuffle, int seed, bool dropLast, float[]? featureBuffer, int[]? labelBuffer)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "A batch needs at least one sample.");
        long featuresNeeded = (long)batchSize * data.SampleSize;
        if (featureBuffer is not null && featureBuffer.Length < featuresNeeded)
            throw new ArgumentException(
                $"featureBuffer has {featureBuffer.Length} elements where {batchSize} samples × {data.SampleSize} = {featuresNeeded} are needed.",
                nameof(featureBuffer));
        if (labelBuffer is not null && labelBuffer.Length < batchSize)
            throw new ArgumentException($"labelBuffer has {labelBuffer.Length} elements where {batchSize} are needed.", nameof(labelBuffer));
        if (featuresNeeded > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch is too large for one array.");

        _data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        _features = featureBuffer ?? new float[featuresNeeded];
        _labels = labelBuffer ?? new int[batchSize];
        _order = Dataset.Identity(data.Count);
    }

    public Dataset Dataset => _data;
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public int Seed { get; }
    public bool DropLast { get; }

    /// <summary>Batches in one epoch (the partial last batch counts unless <see cref="DropLast"/>).</summary>
    public int BatchesPerEpoch => DropLast ? _data.Count / BatchSize : (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>Samples visited in one epoch.</summary>
    public int SamplesPerEpoch => DropLast ? _data.Count / BatchSize * BatchSize : _data.Count;

    /// <summary>
    /// The number of the epoch the next <c>foreach</c> runs (0 at first, +1 per <c>foreach</c>).
    /// Set it to resume a run: the order of epoch e depends only on <see cref="Seed"/> and e.
    /// </summary>
    public int NextEpoch { get; set; }

    /// <summary>The feature buffer every batch is copied into (BatchSize × SampleSize floats at least).</summary>
    public float[] FeatureBuffer => _features;

    /// <summary>The label buffer every batch is copied into (BatchSize ints at least).</summary>
    public int[] LabelBuffer => _labels;

    /// <summary>Starts epoch <see cref="NextEpoch"/> (and increments it).</summary>
    public Enumerator GetEnumerator()
    {
        int epoch = NextEpoch++;
        // Restart from the identity so that the order depends on (seed, epoch) alone, not on history.
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffle) new SplitMix64(Seed, epoch).Shuffle(_order);
        return new Enumerator(this, ++_generation, epoch);
    }

    /// <summary>Copies batch <paramref name="index"/> of the current order into the buffers; returns its size.</summary>
    private int Fill(int index)
    {
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _data.Count - start);
        int size = _data.SampleSize;
        float[] features = _data.FeatureArray;
        int[] labels = _data.LabelArray;
        for (int row = 0; row < count; row++)
        {
            int sample = _order[start + row];
            Array.Copy(features, (long)sample * size, _features, (long)row * size, size);
            _labels[row] = labels[sample];
        }
        return count;
    }

    /// <summary>One epoch. A struct, so <c>foreach</c> allocates nothing.</summary>
    public struct Enumerator
    {
        private readonly BatchIterator _owner;
        private readonly int _generation;
        private readonly int _epoch;
        private int _index;
        private int _count;

        internal Enumerator(BatchIterator owner, int generation, int epoch)
        {
            _owner = owner;
            _generation = generation;
            _epoch = epoch;
            _index = -1;
            _count = 0;
        }

        public bool MoveNext()
        {
            if (_owner._generation != _generation)
                throw new InvalidOperationException("Another epoch of this BatchIterator has started; its buffers now hold that epoch's batches.");
            if (_index + 1 >= _owner.BatchesPerEpoch)
            {
                _index = _owner.BatchesPerEpoch;
                _count = 0;
                return false;
            }
            _index++;
            _count = _owner.Fill(_index);
            return true;
        }

        public readonly Batch Current => new(_owner._features, _owner._labels, _count, _owner._data.SampleSize, _index, _epoch);
    }
}

/// <summary>
/// One mini-batch: <see cref="Count"/> samples (BatchSize, or fewer for the last batch of an epoch),
/// in the iterator's reused buffers. Valid until the next batch is fetched.
/// </summary>
public readonly struct Batch
{
    private readonly float[] _features;
    private readonly int[] _labels;

    internal Batch(float[] features, int[] labels, int count, int sampleSize, int index, int epoch)
    {
        _features = features;
        _labels = labels;
        Count = count;
        SampleSize = sampleSize;
        Index = index;
        Epoch = epoch;
    }

    /// <summary>Number of samples in this batch.</summary>
    public int Count { get; }

    /// <summary>Floats per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Position of the batch in its epoch (0, 1, …).</summary>
    public int Index { get; }

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Count × SampleSize features, sample after sample.</summary>
    public ReadOnlySpan<float> Features => _features.AsSpan(0, Count * SampleSize);

    /// <summary>Count labels.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Count);
}
