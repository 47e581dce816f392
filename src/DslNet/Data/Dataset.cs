using System;
using System.Collections.Generic;
using System.IO;

namespace DslNet.Data;

/// <summary>
/// Labelled samples in host memory: <see cref="Count"/> samples of <see cref="SampleSize"/> floats
/// each (per-sample shape <see cref="SampleShape"/>, e.g. [1, 28, 28], channels first), back to back,
/// and one integer class label per sample.
/// <para>
/// <see cref="Normalize(float, float)"/> changes the features in place; the selecting operations
/// (<see cref="Shuffled"/>, <see cref="Split"/>, <see cref="Subset"/>, <see cref="Take"/>,
/// <see cref="Select"/>) return new datasets and leave this one as it is. Mini-batches come from
/// <see cref="Batches"/>, which reuses its buffers so that an epoch allocates nothing per batch.
/// </para>
/// </summary>
public sealed class Dataset
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int[] _sampleShape;

    /// <summary>
    /// A dataset over the given arrays (they are used directly, not copied). Every label must be in
    /// [0, <paramref name="classCount"/>); a class count of 0 means "the largest label + 1".
    /// </summary>
    public Dataset(float[] features, int[] labels, int[] sampleShape, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        long size = 1;
        foreach (int d in sampleShape)
        {
            if (d <= 0) throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] has a dimension ≤ 0.", nameof(sampleShape));
            size *= d;
        }
        if (size > int.MaxValue) throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] is too large.", nameof(sampleShape));
        if ((long)labels.Length * size != features.Length)
            throw new ArgumentException(
                $"features has {features.Length} elements where {labels.Length} samples × {size} ([{string.Join(", ", sampleShape)}]) = {(long)labels.Length * size} are needed.",
                nameof(features));
        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The class count cannot be negative.");

        int maxLabel = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0 || (classCount > 0 && label >= classCount))
                throw new ArgumentException(
                    $"Label {label} of sample {i} is outside [0, {(classCount > 0 ? classCount : "∞")}).", nameof(labels));
            if (label > maxLabel) maxLabel = label;
        }

        _features = features;
        _labels = labels;
        _sampleShape = (int[])sampleShape.Clone();
        SampleSize = (int)size;
        ClassCount = classCount > 0 ? classCount : maxLabel + 1;
    }

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>The shape of one sample, e.g. [1, 28, 28].</summary>
    public ReadOnlySpan<int> SampleShape => _sampleShape;

    /// <summary>Floats per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Number of classes: labels are in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>All features, sample after sample.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>All labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        CheckIndex(index);
        return _features.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>How many samples each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int label in _labels) counts[label]++;
        return counts;
    }

    public override string ToString() =>
        $"{Count} samples of [{string.Join(", ", _sampleShape)}], {ClassCount} classes";

    // ---------------------------------------------------------------- loading

    /// <summary>
    /// Loads an IDX image file and its label file (plain or .gz). Pixel bytes are scaled to [0, 1];
    /// 3-D image files ([count, rows, columns]) become samples of shape [1, rows, columns] (one
    /// channel, channels first). A class count of 0 means "the largest label + 1".
    /// </summary>
    public static Dataset FromIdx(string imagesPath, string labelsPath, int classCount = 0)
    {
        var (images, labels) = IdxReader.ReadPair(imagesPath, labelsPath);
        return FromIdx(images, labels, classCount);
    }

    /// <summary>Builds a dataset from IDX data already read; see <see cref="FromIdx(string, string, int)"/>.</summary>
    public static Dataset FromIdx(IdxData images, IdxData labels, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Dimensions.Length != 1)
            throw new InvalidDataException($"IDX file '{labels.Name}' has dimensions [{string.Join(", ", labels.Dimensions)}]; labels must have one dimension.");
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"IDX files '{images.Name}' and '{labels.Name}' do not match: {images.Count} images but {labels.Count} labels.");

        int[] shape = images.Dimensions.Length switch
        {
            1 => [1],
            3 => [1, images.Dimensions[1], images.Dimensions[2]],
            _ => images.Dimensions[1..],
        };
        if (images.Count > 0 && images.ItemSize == 0)
            throw new InvalidDataException($"IDX file '{images.Name}' has empty samples: dimensions [{string.Join(", ", images.Dimensions)}].");

        var features = new float[images.Data.Length];
        const float scale = 1f / 255f;
        ReadOnlySpan<byte> pixels = images.Data;
        for (int i = 0; i < features.Length; i++) features[i] = pixels[i] * scale;

        var labelValues = new int[labels.Count];
        for (int i = 0; i < labelValues.Length; i++) labelValues[i] = labels.Data[i];
        if (classCount > 0)
        {
            for (int i = 0; i < labelValues.Length; i++)
                if (labelValues[i] >= classCount)
                    throw new InvalidDataException($"IDX file '{labels.Name}': label {labelValues[i]} of sample {i} is not below the class count {classCount}.");
        }
        return new Dataset(features, labelValues, shape, classCount);
    }

    // ---------------------------------------------------------------- normalisation

    /// <summary>Mean and (population) standard deviation of every feature of every sample, summed in double.</summary>
    public (float Mean, float Std) ComputeStatistics()
    {
        if (_features.Length == 0) throw new InvalidOperationException("An empty dataset has no statistics.");
        double sum = 0, sumSquares = 0;
        foreach (float v in _features) { sum += v; sumSquares += (double)v * v; }
        double mean = sum / _features.Length;
        double variance = Math.Max(0, sumSquares / _features.Length - mean * mean);
        return ((float)mean, (float)Math.Sqrt(variance));
    }

    /// <summary>
    /// Per-channel mean and standard deviation, the channel being the first dimension of the sample
    /// shape (C of C×H×W).
    /// </summary>
    public (float[] Mean, float[] Std) ComputeChannelStatistics()
    {
        if (Count == 0) throw new InvalidOperationException("An empty dataset has no statistics.");
        int channels = _sampleShape.Length == 0 ? 1 : _sampleShape[0];
        int plane = SampleSize / channels;
        var sum = new double[channels];
        var sumSquares = new double[channels];
        for (int s = 0; s < Count; s++)
            for (int c = 0; c < channels; c++)
                foreach (float v in _features.AsSpan(s * SampleSize + c * plane, plane))
                {
                    sum[c] += v;
                    sumSquares[c] += (double)v * v;
                }
        var mean = new float[channels];
        var std = new float[channels];
        double n = (double)Count * plane;
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(0, sumSquares[c] / n - m * m));
        }
        return (mean, std);
    }

    /// <summary>In place: every feature x becomes (x − mean) / std.</summary>
    public void Normalize(float mean, float std)
    {
        CheckStd(std, "std");
        float inverse = 1f / std;
        for (int i = 0; i < _features.Length; i++) _features[i] = (_features[i] - mean) * inverse;
    }

    /// <summary>
    /// In place: normalises with this dataset's own mean and standard deviation and returns them,
    /// so the same values can be applied to the validation and test sets. (A constant dataset has
    /// std 0; 1 is used and returned instead.)
    /// </summary>
    public (float Mean, float Std) Normalize()
    {
        var (mean, std) = ComputeStatistics();
        if (!(std > 0)) std = 1;
        Normalize(mean, std);
        return (mean, std);
    }

    /// <summary>In place, per channel (first dimension of the sample shape): x ← (x − mean[c]) / std[c].</summary>
    public void NormalizeChannels(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        int channels = _sampleShape.Length == 0 ? 1 : _sampleShape[0];
        if (mean.Length != channels || std.Length != channels)
            throw new ArgumentException($"mean has {mean.Length} and std {std.Length} values where {channels} (one per channel) are needed.");
        for (int c = 0; c < channels; c++) CheckStd(std[c], $"std[{c}]");
        int plane = SampleSize / channels;
        for (int s = 0; s < Count; s++)
            for (int c = 0; c < channels; c++)
            {
                var values = _features.AsSpan(s * SampleSize + c * plane, plane);
                float m = mean[c], inverse = 1f / std[c];
                for (int i = 0; i < values.Length; i++) values[i] = (values[i] - m) * inverse;
            }
    }

    private static void CheckStd(float std, string name)
    {
        if (!(std > 0) || float.IsInfinity(std))
            throw new ArgumentOutOfRangeException(name, std, "A standard deviation must be positive and finite.");
    }

    // ---------------------------------------------------------------- selection

    /// <summary>The samples at <paramref name="indices"/>, in that order (an index may repeat).</summary>
    public Dataset Select(ReadOnlySpan<int> indices)
    {
        var features = new float[(long)indices.Length * SampleSize];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            CheckIndex(index);
            _features.AsSpan(index * SampleSize, SampleSize).CopyTo(features.AsSpan(i * SampleSize, SampleSize));
            labels[i] = _labels[index];
        }
        return new Dataset(features, labels, _sampleShape, ClassCount);
    }

    /// <summary>Samples [start, start + count).</summary>
    public Dataset Subset(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Samples [{start}, {(long)start + count}) do not fit a dataset of {Count}.");
        var features = _features.AsSpan(start * SampleSize, count * SampleSize).ToArray();
        var labels = _labels.AsSpan(start, count).ToArray();
        return new Dataset(features, labels, _sampleShape, ClassCount);
    }

    /// <summary>The first <paramref name="count"/> samples (all of them if there are fewer).</summary>
    public Dataset Take(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A count cannot be negative.");
        return Subset(0, Math.Min(count, Count));
    }

    /// <summary>All samples in an order that depends only on <paramref name="seed"/>.</summary>
    public Dataset Shuffled(int seed)
    {
        var order = Identity(Count);
        new SplitMix64(seed, int.MaxValue).Shuffle(order);
        return Select(order);
    }

    /// <summary>
    /// Splits off round(Count × <paramref name="validationFraction"/>) samples, drawn with
    /// <paramref name="seed"/>, as a validation set. Both parts keep the original order of their
    /// samples. With <paramref name="stratified"/>, every class is split in the same proportion
    /// (each class contributes round(its count × fraction) samples).
    /// </summary>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, int seed, bool stratified = false)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1].");
        var inValidation = new bool[Count];
        var random = new SplitMix64(seed, int.MaxValue - 1);
        if (stratified)
        {
            var byClass = new List<int>[ClassCount];
            for (int c = 0; c < ClassCount; c++) byClass[c] = [];
            for (int i = 0; i < Count; i++) byClass[_labels[i]].Add(i);
            foreach (var members in byClass)
            {
                var order = members.ToArray();
                random.Shuffle(order);
                int take = (int)Math.Round(order.Length * validationFraction, MidpointRounding.AwayFromZero);
                for (int i = 0; i < take; i++) inValidation[order[i]] = true;
            }
        }
        else
        {
            var order = Identity(Count);
            random.Shuffle(order);
            int take = (int)Math.Round(Count * validationFraction, MidpointRounding.AwayFromZero);
            for (int i = 0; i < take; i++) inValidation[order[i]] = true;
        }

        var train = new List<int>(Count);
        var validation = new List<int>();
        for (int i = 0; i < Count; i++) (inValidation[i] ? validation : train).Add(i);
        return (Select(train.ToArray()), Select(validation.ToArray()));
    }

    // ---------------------------------------------------------------- batches

    /// <summary>
    /// A reusable mini-batch iterator: each <c>foreach</c> over it is one epoch. With
    /// <paramref name="shuffle"/>, epoch e visits the samples in an order that depends only on
    /// (<paramref name="seed"/>, e). The last, partial batch is included unless
    /// <paramref name="dropLast"/>. The batch is copied into <paramref name="featureBuffer"/>
    /// (≥ batchSize × SampleSize floats) and <paramref name="labelBuffer"/> (≥ batchSize ints) when
    /// given, else into buffers the iterator allocates once.
    /// </summary>
    public BatchIterator Batches(int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false,
        float[]? featureBuffer = null, int[]? labelBuffer = null) =>
        new(this, batchSize, shuffle, seed, dropLast, featureBuffer, labelBuffer);

    internal float[] FeatureArray => _features;
    internal int[] LabelArray => _labels;

    internal static int[] Identity(int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        return order;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Sample {index} is outside a dataset of {Count}.");
    }
}
