using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DslNet.Data;
using Xunit;

namespace DslNet.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>n samples of 2×3 features; every feature of sample i equals i, so a feature names its sample.</summary>
    private static Dataset Numbered(int n, int classes = 3)
    {
        var features = new float[n * 6];
        for (int i = 0; i < n; i++) features.AsSpan(i * 6, 6).Fill(i);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % classes;
        return new Dataset(features, labels, [2, 3], classes);
    }

    private static int[] SampleIds(Dataset d)
    {
        var ids = new int[d.Count];
        for (int i = 0; i < d.Count; i++)
        {
            var sample = d.Sample(i);
            ids[i] = (int)sample[0];
            Assert.All(sample.ToArray(), v => Assert.Equal(ids[i], v)); // samples are moved whole
        }
        return ids;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromIdx_scales_pixels_and_uses_one_channel(bool gzip)
    {
        string images = Idx.Write(_folder.File("i"), Idx.Build(0x803, [2, 2, 3], [0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 1]), gzip);
        string labels = Idx.Write(_folder.File("l"), Idx.Build(0x801, [2], [9, 4]), gzip);
        var d = Dataset.FromIdx(images, labels, classCount: 10);
        Assert.Equal(2, d.Count);
        Assert.Equal(new[] { 1, 2, 3 }, d.SampleShape.ToArray());
        Assert.Equal(6, d.SampleSize);
        Assert.Equal(10, d.ClassCount);
        Assert.Equal(new[] { 9, 4 }, d.Labels.ToArray());
        float[] expected = [0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f, 1f, 0f, 0f, 0f, 0f, 1f / 255f];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], d.Features[i], 6);
    }

    [Fact]
    public void FromIdx_rejects_labels_beyond_the_class_count_and_count_mismatches()
    {
        var (images, labels) = Idx.WritePair(_folder, "t", 4, 2, 2, classes: 5, gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels, classCount: 3));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 3", e.Message);
        Assert.Equal(4, Dataset.FromIdx(images, labels).ClassCount); // inferred: largest label (3) + 1

        string three = Idx.Write(_folder.File("three"), Idx.Build(0x801, [3], [0, 1, 2]), false);
        var e2 = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, three));
        Assert.Contains("4 images but 3 labels", e2.Message);
    }

    [Fact]
    public void Constructor_checks_sizes_and_labels()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[11], new int[2], [2, 3]));
        Assert.Contains("11", e.Message);
        Assert.Contains("12", e.Message);
        Assert.Throws<ArgumentException>(() => new Dataset(new float[6], [-1], [6]));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[6], [3], [6], classCount: 3));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[0], [], [0, 3]));
    }

    [Fact]
    public void Normalize_with_given_statistics()
    {
        var d = new Dataset([1f, 3f, 5f, 7f], [0, 1], [2]);
        d.Normalize(mean: 3f, std: 2f);
        Assert.Equal(new[] { -1f, 0f, 1f, 2f }, d.Features.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Normalize(0f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Normalize(0f, float.NaN));
    }

    [Fact]
    public void Normalize_from_the_training_set_and_apply_to_another()
    {
        var random = new Random(5);
        float[] values = Enumerable.Range(0, 300).Select(_ => (float)random.NextDouble() * 3 + 1).ToArray();
        // independent double reference
        double mean = values.Average(v => (double)v);
        double std = Math.Sqrt(values.Average(v => ((double)v - mean) * ((double)v - mean)));

        var train = new Dataset((float[])values.Clone(), new int[100], [3]);
        var test = new Dataset([(float)mean, (float)(mean + std), 0f], [0], [3]);
        var stats = train.Normalize();
        Assert.Equal(mean, stats.Mean, 5);
        Assert.Equal(std, stats.Std, 5);
        Assert.Equal(0, train.Features.ToArray().Average(v => (double)v), 5);
        Assert.Equal(1, Math.Sqrt(train.Features.ToArray().Average(v => (double)v * v)), 4);

        test.Normalize(stats.Mean, stats.Std);
        Assert.Equal(0f, test.Features[0], 5);
        Assert.Equal(1f, test.Features[1], 5);
        Assert.Equal((float)(-mean / std), test.Features[2], 5);
    }

    [Fact]
    public void Constant_data_normalises_with_std_one()
    {
        var d = new Dataset([2f, 2f, 2f, 2f], [0, 0], [2]);
        var stats = d.Normalize();
        Assert.Equal(2f, stats.Mean);
        Assert.Equal(1f, stats.Std);
        Assert.All(d.Features.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Per_channel_statistics_and_normalisation()
    {
        // 2 samples of [2 channels, 2 values]: channel 0 = {1,3,5,7}, channel 1 = {10,10,20,20}
        var d = new Dataset([1, 3, 10, 10, 5, 7, 20, 20], [0, 1], [2, 2]);
        var (mean, std) = d.ComputeChannelStatistics();
        Assert.Equal(new[] { 4f, 15f }, mean);
        Assert.Equal(Math.Sqrt(5), std[0], 5);
        Assert.Equal(5.0, std[1], 5);
        d.NormalizeChannels(mean, std);
        Assert.Equal(-3 / Math.Sqrt(5), d.Features[0], 5);
        Assert.Equal(-1f, d.Features[2], 5);
        Assert.Equal(1f, d.Features[7], 5);
        Assert.Throws<ArgumentException>(() => d.NormalizeChannels([0f], [1f]));
    }

    [Fact]
    public void Shuffled_is_a_permutation_determined_by_the_seed()
    {
        var d = Numbered(50);
        int[] a = SampleIds(d.Shuffled(7));
        int[] b = SampleIds(d.Shuffled(7));
        int[] c = SampleIds(d.Shuffled(8));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(Enumerable.Range(0, 50), a);
        Assert.Equal(Enumerable.Range(0, 50), a.OrderBy(x => x));
        var shuffled = d.Shuffled(7);
        for (int i = 0; i < 50; i++) Assert.Equal(a[i] % 3, shuffled.Label(i)); // labels travel with their samples
        Assert.Equal(Enumerable.Range(0, 50), SampleIds(d)); // the original is unchanged
    }

    [Theory]
    [InlineData(100, 0.2, 80, 20)]
    [InlineData(101, 0.1, 91, 10)]
    [InlineData(10, 0.0, 10, 0)]
    [InlineData(10, 1.0, 0, 10)]
    [InlineData(7, 0.5, 3, 4)]
    public void Split_sizes_and_disjoint_parts(int n, double fraction, int trainCount, int validationCount)
    {
        var d = Numbered(n);
        var (train, validation) = d.Split(fraction, seed: 3);
        Assert.Equal(trainCount, train.Count);
        Assert.Equal(validationCount, validation.Count);
        int[] t = SampleIds(train), v = SampleIds(validation);
        Assert.Equal(Enumerable.Range(0, n), t.Concat(v).OrderBy(x => x));
        Assert.Equal(t.OrderBy(x => x), t); // each part keeps the original order
        Assert.Equal(v.OrderBy(x => x), v);
        Assert.Equal(v, SampleIds(d.Split(fraction, seed: 3).Validation)); // deterministic
    }

    [Fact]
    public void Split_depends_on_the_seed_and_can_be_stratified()
    {
        var d = Numbered(90, classes: 3); // 30 per class
        Assert.NotEqual(SampleIds(d.Split(0.2, 1).Validation), SampleIds(d.Split(0.2, 2).Validation));
        var (train, validation) = d.Split(0.2, seed: 4, stratified: true);
        Assert.Equal(new[] { 6, 6, 6 }, validation.ClassCounts());
        Assert.Equal(new[] { 24, 24, 24 }, train.ClassCounts());
        Assert.Equal(3, validation.ClassCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(1.5, 0));
    }

    [Fact]
    public void Subset_take_and_select()
    {
        var d = Numbered(10);
        Assert.Equal(new[] { 3, 4, 5 }, SampleIds(d.Subset(3, 3)));
        Assert.Equal(new[] { 0, 1 }, SampleIds(d.Take(2)));
        Assert.Equal(10, d.Take(100).Count);
        Assert.Equal(new[] { 9, 0, 9 }, SampleIds(d.Select([9, 0, 9])));
        Assert.Equal(new[] { 0, 0, 0 }, d.Select([9, 0, 9]).Labels.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Subset(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Select([10]));
        Assert.Equal(new[] { 2, 3 }, d.Subset(3, 3).SampleShape.ToArray());
    }

    [Theory]
    [InlineData(103, 10, false, false)]
    [InlineData(103, 10, true, false)]
    [InlineData(100, 10, true, false)]
    [InlineData(5, 8, true, false)]
    public void An_epoch_visits_every_sample_exactly_once(int n, int batchSize, bool shuffle, bool dropLast)
    {
        var d = Numbered(n);
        var batches = d.Batches(batchSize, shuffle, seed: 11, dropLast);
        Assert.Equal((n + batchSize - 1) / batchSize, batches.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            int index = 0;
            foreach (Batch batch in batches)
            {
                Assert.Equal(index++, batch.Index);
                Assert.Equal(epoch, batch.Epoch);
                int expectedCount = Math.Min(batchSize, n - seen.Count);
                Assert.Equal(expectedCount, batch.Count);
                Assert.Equal(expectedCount * 6, batch.Features.Length);
                for (int r = 0; r < batch.Count; r++)
                {
                    int id = (int)batch.Features[r * 6];
                    Assert.All(batch.Features.Slice(r * 6, 6).ToArray(), v => Assert.Equal(id, v));
                    Assert.Equal(id % 3, batch.Labels[r]);
                    seen.Add(id);
                }
            }
            Assert.Equal(batches.BatchesPerEpoch, index);
            Assert.Equal(Enumerable.Range(0, n), seen.OrderBy(x => x));
            if (!shuffle) Assert.Equal(Enumerable.Range(0, n), seen);
        }
    }

    [Fact]
    public void Drop_last_skips_the_partial_batch()
    {
        var batches = Numbered(103).Batches(10, shuffle: true, seed: 2, dropLast: true);
        Assert.Equal(10, batches.BatchesPerEpoch);
        Assert.Equal(100, batches.SamplesPerEpoch);
        var seen = new List<int>();
        foreach (var batch in batches)
        {
            Assert.Equal(10, batch.Count);
            for (int r = 0; r < batch.Count; r++) seen.Add((int)batch.Features[r * 6]);
        }
        Assert.Equal(100, seen.Count);
        Assert.Equal(100, seen.Distinct().Count());
        int small = 0;
        foreach (var _ in Numbered(3).Batches(4, dropLast: true)) small++;
        Assert.Equal(0, small);
    }

    [Fact]
    public void Shuffled_epochs_differ_and_replay_from_seed_and_epoch()
    {
        var d = Numbered(40);
        var batches = d.Batches(8, shuffle: true, seed: 5);
        int[] Epoch(BatchIterator it)
        {
            var ids = new List<int>();
            foreach (var b in it) for (int r = 0; r < b.Count; r++) ids.Add((int)b.Features[r * 6]);
            return ids.ToArray();
        }
        int[] e0 = Epoch(batches), e1 = Epoch(batches), e2 = Epoch(batches);
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(e1, e2);

        var resumed = d.Batches(8, shuffle: true, seed: 5);
        resumed.NextEpoch = 1;
        Assert.Equal(e1, Epoch(resumed));
        Assert.Equal(e2, Epoch(resumed));
        Assert.NotEqual(e0, Epoch(d.Batches(8, shuffle: true, seed: 6)));
    }

    [Fact]
    public void Batches_fill_caller_buffers_and_check_their_size()
    {
        var d = Numbered(9);
        var features = new float[4 * 6 + 5];
        var labels = new int[4];
        var batches = d.Batches(4, featureBuffer: features, labelBuffer: labels);
        Assert.Same(features, batches.FeatureBuffer);
        Assert.Same(labels, batches.LabelBuffer);
        foreach (var batch in batches)
        {
            Assert.Equal((float)(batch.Index * 4), features[0]);
            Assert.Equal(batch.Index * 4 % 3, labels[0]);
        }
        var e = Assert.Throws<ArgumentException>(() => d.Batches(4, featureBuffer: new float[23]));
        Assert.Contains("23", e.Message);
        Assert.Contains("24", e.Message);
        Assert.Throws<ArgumentException>(() => d.Batches(4, labelBuffer: new int[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Batches(0));
    }

    [Fact]
    public void Starting_a_second_epoch_invalidates_the_first()
    {
        var batches = Numbered(20).Batches(5);
        var first = batches.GetEnumerator();
        Assert.True(first.MoveNext());
        var second = batches.GetEnumerator();
        Assert.True(second.MoveNext());
        Assert.Throws<InvalidOperationException>(() => first.MoveNext());
    }

    [Fact]
    public void Iterating_an_epoch_allocates_nothing_after_warm_up()
    {
        var d = Numbered(1000);
        var batches = d.Batches(32, shuffle: true, seed: 1);
        float checksum = 0;
        foreach (var batch in batches) checksum += batch.Features[0]; // warm-up (JIT, first-call paths)

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (var batch in batches)
            {
                checksum += batch.Features[batch.Features.Length - 1];
                checksum += batch.Labels[0];
            }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    [Fact]
    public void An_empty_dataset_has_no_batches()
    {
        var d = new Dataset([], [], [4]);
        Assert.Equal(0, d.Count);
        Assert.Equal(0, d.Batches(3).BatchesPerEpoch);
        foreach (var _ in d.Batches(3)) Assert.Fail("no batch expected");
    }
}
