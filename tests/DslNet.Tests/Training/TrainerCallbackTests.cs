using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

/// <summary>Callbacks and progress reports: their order, and stopping from a callback.</summary>
public sealed class TrainerCallbackTests
{
    private sealed class Recorder(List<string> log) : ITrainingCallback, IProgress<TrainingProgress>
    {
        public Func<BatchMetrics, bool>? StopAt;

        public void OnTrainingBegin(TrainingContext context) => log.Add("begin");
        public void OnEpochBegin(TrainingContext context) => log.Add($"epoch {context.Epoch}");
        public void OnBatchEnd(TrainingContext context, in BatchMetrics batch)
        {
            log.Add($"batch {batch.Epoch}.{batch.Batch}/{batch.BatchesPerEpoch}");
            if (StopAt?.Invoke(batch) == true) context.RequestStop("enough");
        }
        public void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => log.Add($"end {metrics.Epoch} history {context.History.Count}");
        public void OnTrainingEnd(TrainingContext context, TrainingResult result) => log.Add($"finish {result.StopReason}");
        public void Report(TrainingProgress value) => log.Add($"progress {value.Phase} {value.Epoch}.{value.Batch}");
    }

    [Fact]
    public void Callbacks_and_progress_run_in_a_fixed_order()
    {
        var log = new List<string>();
        var recorder = new Recorder(log);
        var second = new Recorder(log);
        var trainer = new Trainer(new TinyClassifier(4, 1), new Sgd(0.05), new TrainerOptions
        {
            Epochs = 2, BatchSize = 4, ProgressInterval = 2, Callbacks = [recorder, second],
        });
        trainer.Fit(TrainerData.Blobs(12, 1), TrainerData.Blobs(6, 2), recorder);

        var expected = new List<string> { "begin", "begin" };
        for (int e = 1; e <= 2; e++)
        {
            expected.AddRange([$"epoch {e}", $"epoch {e}"]);
            for (int b = 1; b <= 3; b++)
            {
                expected.AddRange([$"batch {e}.{b}/3", $"batch {e}.{b}/3"]);
                if (b % 2 == 0 || b == 3) expected.Add($"progress Batch {e}.{b}"); // every 2nd batch and the last
            }
            expected.Add($"progress Validating {e}.3");
            expected.AddRange([$"end {e} history {e}", $"end {e} history {e}"]);
            expected.Add($"progress EpochEnd {e}.3");
        }
        expected.AddRange(["finish Completed", "finish Completed"]);
        Assert.Equal(expected, log);
    }

    [Fact]
    public void A_callback_stops_training_after_the_current_batch()
    {
        var log = new List<string>();
        var recorder = new Recorder(log) { StopAt = b => b.Epoch == 2 && b.Batch == 2 };
        var trainer = new Trainer(new TinyClassifier(4, 1), new Sgd(0.05), new TrainerOptions { Epochs = 5, BatchSize = 4, Callbacks = [recorder] });
        var result = trainer.Fit(TrainerData.Blobs(16, 1));

        Assert.Equal(StopReason.Callback, result.StopReason);
        Assert.Contains("in epoch 2, after 8 of its 16 samples", result.Message);
        Assert.Contains("enough", result.Message);
        Assert.Equal(2, result.History.Count);
        Assert.Equal(8, result.History[1].Samples); // two batches of epoch 2
        Assert.DoesNotContain("batch 2.3/4", log);
        Assert.Equal("finish Callback", log[^1]);
    }

    private sealed class StopAtEpochBegin(int epoch) : ITrainingCallback
    {
        public void OnEpochBegin(TrainingContext context)
        {
            if (context.Epoch == epoch) context.RequestStop("time is up");
        }
    }

    [Fact]
    public void A_stop_requested_when_an_epoch_begins_runs_none_of_it()
    {
        var trainer = new Trainer(new TinyClassifier(4, 1), new Sgd(0.05), new TrainerOptions { Epochs = 5, BatchSize = 4, Callbacks = [new StopAtEpochBegin(3)] });
        var result = trainer.Fit(TrainerData.Blobs(16, 1));
        Assert.Equal(StopReason.Callback, result.StopReason);
        Assert.Equal("A callback stopped training before epoch 3: time is up", result.Message);
        Assert.Equal(2, result.History.Count);
        Assert.Equal(8, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void Cancelling_ends_training_without_recording_the_partial_epoch()
    {
        using var cancel = new System.Threading.CancellationTokenSource();
        var stopper = new CancelAt(cancel, epoch: 2, batch: 1);
        var trainer = new Trainer(new TinyClassifier(4, 1), new Sgd(0.05), new TrainerOptions { Epochs = 5, BatchSize = 4, Callbacks = [stopper] });
        var result = trainer.Fit(TrainerData.Blobs(16, 1), cancellationToken: cancel.Token);
        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Contains("epoch 2, before batch 2 of 4", result.Message);
        Assert.Single(result.History);
    }

    private sealed class CancelAt(System.Threading.CancellationTokenSource source, int epoch, int batch) : ITrainingCallback
    {
        public void OnBatchEnd(TrainingContext context, in BatchMetrics metrics)
        {
            if (metrics.Epoch == epoch && metrics.Batch == batch) source.Cancel();
        }
    }

    [Fact]
    public void Epoch_end_delegates_see_every_epoch()
    {
        var seen = new List<int>();
        var trainer = new Trainer(new TinyClassifier(4, 1), new Sgd(0.05), new TrainerOptions
        {
            Epochs = 3, BatchSize = 4, Callbacks = [TrainingCallback.OnEpochEnd((_, m) => seen.Add(m.Epoch))],
        });
        var result = trainer.Fit(TrainerData.Blobs(8, 1));
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal(StopReason.Completed, result.StopReason);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(seen, result.History.Select(h => h.Epoch));
    }
}
