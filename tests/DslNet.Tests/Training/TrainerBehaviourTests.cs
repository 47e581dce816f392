using System;
using System.Linq;
using DslNet.Data;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

/// <summary>Validation split, determinism, schedules and clipping, allocation, and argument checks.</summary>
public sealed class TrainerBehaviourTests
{
    [Theory]
    [InlineData(false, 40, 10)]
    [InlineData(true, 41, 9)] // classes of 17, 17 and 16: round(0.2·n) = 3 + 3 + 3
    public void The_validation_split_has_the_requested_size(bool stratified, int trainCount, int validationCount)
    {
        var data = TrainerData.Blobs(50, seed: 1);
        var trainer = new Trainer(new TinyClassifier(8, 1), new Sgd(0.05), new TrainerOptions
        {
            Epochs = 1, BatchSize = 8, ValidationFraction = 0.2, StratifiedSplit = stratified,
        });
        var result = trainer.Fit(data);
        Assert.Equal(trainCount, result.TrainingSamples);
        Assert.Equal(validationCount, result.ValidationSamples);
        Assert.Equal(trainCount, result.History[0].Samples);
        Assert.Equal(validationCount, result.History[0].Validation!.Count);
        Assert.Equal(validationCount, result.History[0].Validation!.Confusion.Total);
    }

    [Fact]
    public void A_stratified_split_takes_the_same_share_of_every_class()
    {
        // Classes of 20, 17 and 13 samples: round(0.2·n) = 4, 3 and 3.
        int[] labels = Enumerable.Repeat(0, 20).Concat(Enumerable.Repeat(1, 17)).Concat(Enumerable.Repeat(2, 13)).ToArray();
        var data = new Dataset(new float[labels.Length * 6], labels, [6], 3);
        int[] perClass = new int[3];
        var trainer = new Trainer(new TinyClassifier(8, 1), new Sgd(0.05), new TrainerOptions { Epochs = 1, BatchSize = 8, ValidationFraction = 0.2 });
        var result = trainer.Fit(data);
        var confusion = result.History[0].Validation!.Confusion;
        for (int c = 0; c < 3; c++) perClass[c] = (int)confusion.Support(c);
        Assert.Equal(new[] { 4, 3, 3 }, perClass);
        Assert.Equal(40, result.TrainingSamples);
    }

    [Fact]
    public void Two_runs_with_one_seed_give_the_same_history_and_another_seed_differs()
    {
        TrainingResult Run(int seed) =>
            new Trainer(new TinyImageClassifier(8, 1), new Sgd(0.05, momentum: 0.9), new TrainerOptions
            {
                Epochs = 3, BatchSize = 8, Seed = seed, ValidationFraction = 0.25,
                Augmentation = Augmentation.Compose(Augmentation.RandomCrop(1), Augmentation.HorizontalFlip(), Augmentation.GaussianNoise(0.05)),
            }).Fit(TrainerData.Images(40, seed: 2));
        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(a.History.Select(e => (e.Loss, e.ValidationLoss)), b.History.Select(e => (e.Loss, e.ValidationLoss)));
        Assert.NotEqual(a.History.Select(e => e.Loss), c.History.Select(e => e.Loss));
    }

    [Fact]
    public void The_schedule_and_clipping_reach_the_optimizer_and_the_history_shows_the_rate()
    {
        var optimizer = new Sgd(0.1);
        var schedule = LearningRateSchedule.StepDecay(stepSize: 3, gamma: 0.5);
        var trainer = new Trainer(new TinyClassifier(4, 1), optimizer, new TrainerOptions
        {
            Epochs = 4, BatchSize = 4, Schedule = schedule, ClipGradientNorm = 0.5, ClipGradientValue = 2,
        });
        var result = trainer.Fit(TrainerData.Blobs(8, 1)); // 2 steps per epoch
        Assert.Same(schedule, optimizer.Schedule);
        Assert.Equal(0.5, optimizer.ClipGradientNorm);
        Assert.Equal(2, optimizer.ClipGradientValue);
        for (int e = 1; e <= 4; e++)
            Assert.Equal(0.1 * Math.Pow(0.5, 2 * e / 3), result.History[e - 1].LearningRate, 12); // rate of the next step, 2e
        Assert.Equal(8, optimizer.StepCount);
    }

    private sealed class AllocationProbe : ITrainingCallback, IProgress<TrainingProgress>
    {
        public readonly long[] Allocated = new long[64];
        public int Count;
        public int Reports;
        public int Epoch;

        public void OnBatchEnd(TrainingContext context, in BatchMetrics batch)
        {
            if (batch.Epoch == Epoch && Count < Allocated.Length) Allocated[Count++] = GC.GetAllocatedBytesForCurrentThread();
        }

        public void Report(TrainingProgress value) => Reports++;
    }

    [Fact]
    public void A_training_step_in_the_loop_allocates_nothing()
    {
        // Batch ends 2…n of epoch 2: between them run fetching, augmenting, the step, the metrics,
        // the callbacks and the progress report.
        var probe = new AllocationProbe { Epoch = 2 };
        var trainer = new Trainer(new TinyImageClassifier(8, 1), new Adam(1e-3), new TrainerOptions
        {
            Epochs = 2, BatchSize = 8, Callbacks = [probe], ParameterCheck = NonFiniteCheck.EveryBatch,
            Augmentation = Augmentation.Compose(Augmentation.RandomCrop(1), Augmentation.HorizontalFlip(), Augmentation.GaussianNoise(0.05)),
        });
        trainer.Fit(TrainerData.Images(64, seed: 2), progress: probe);
        Assert.Equal(8, probe.Count);
        // The trainer runs on the default two-thread backend: one batch may allocate once (see
        // AllocationCheck), an allocation per batch shows in all seven intervals.
        var allocated = Enumerable.Range(1, probe.Count - 1).Select(i => probe.Allocated[i] - probe.Allocated[i - 1]).ToArray();
        Assert.True(allocated.Count(bytes => bytes != 0) <= 1, $"batches 2-8 allocated {string.Join(", ", allocated)} bytes");
        Assert.Equal(2 * (8 + 1), probe.Reports); // per epoch: 8 batch reports and EpochEnd (no validation)
    }

    [Fact]
    public void Bad_options_and_data_are_named_and_change_nothing()
    {
        var net = new TinyClassifier(4, 1);
        var before = net.Parameters.Values.View.Span.ToArray();
        var tooBig = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1), new TrainerOptions { BatchSize = 5 }));
        Assert.Contains("options.BatchSize", tooBig.Message);
        Assert.Contains("maximum batch", tooBig.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1), new TrainerOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1), new TrainerOptions { EarlyStoppingPatience = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1), new TrainerOptions { ValidationFraction = 1 }));

        var trainer = new Trainer(net, new Sgd(0.1), new TrainerOptions { Monitor = TrainingMetric.ValidationAccuracy });
        var noValidation = Assert.Throws<ArgumentException>(() => trainer.Fit(TrainerData.Blobs(8, 1)));
        Assert.Contains("val_accuracy", noValidation.Message);
        var wrongShape = Assert.Throws<ArgumentException>(() => trainer.Fit(TrainerData.Blobs(8, 1, features: 5), TrainerData.Blobs(4, 2)));
        Assert.Contains("TinyClassifier.X takes [6]", wrongShape.Message);
        var both = new Trainer(net, new Sgd(0.1), new TrainerOptions { ValidationFraction = 0.5 });
        Assert.Throws<ArgumentException>(() => both.Fit(TrainerData.Blobs(8, 1), TrainerData.Blobs(4, 2)));
        Assert.Equal(before, net.Parameters.Values.View.Span.ToArray());

        var regression = Assert.Throws<ArgumentException>(() => new Trainer(new DslNet.Tests.Networks.XorNet(4), new Sgd(0.1)));
        Assert.Contains("classification loss", regression.Message);
    }
}
