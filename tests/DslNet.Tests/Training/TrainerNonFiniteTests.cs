using System;
using System.IO;
using DslNet.Data;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

/// <summary>A NaN or ∞ stops training with a message naming where, and leaves the best checkpoint as it was.</summary>
public sealed class TrainerNonFiniteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dslnet-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Records the checkpoint file's bytes at the end of every epoch.</summary>
    private sealed class CheckpointSnapshot(string path) : ITrainingCallback
    {
        public byte[]? Bytes;
        public float[]? BestParameters;

        public void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            Bytes = File.ReadAllBytes(path);
            if (metrics.IsBest) BestParameters = context.Network.Parameters.Values.View.Span.ToArray();
        }
    }

    private sealed class AtEpochBegin(int epoch, Action<TrainingContext> action) : ITrainingCallback
    {
        public void OnEpochBegin(TrainingContext context)
        {
            if (context.Epoch == epoch) action(context);
        }
    }

    [Fact]
    public void A_nan_in_the_input_stops_at_its_batch_and_keeps_the_last_good_checkpoint()
    {
        var train = TrainerData.Blobs(40, seed: 1);     // 10 batches of 4, in order (no shuffle)
        var validation = TrainerData.Blobs(12, seed: 2);
        float[] features = train.FeatureArray; // the dataset's own array, read by every batch
        string path = Path.Combine(_folder, "best.safetensors");
        var snapshot = new CheckpointSnapshot(path);
        // Sample 10 is in batch 3; it turns NaN when epoch 3 begins.
        var inject = new AtEpochBegin(3, _ => features[10 * 6 + 2] = float.NaN);
        var net = new TinyClassifier(maxBatch: 4, seed: 3);
        var trainer = new Trainer(net, new Sgd(0.05, momentum: 0.9), new TrainerOptions
        {
            Epochs = 10, BatchSize = 4, Shuffle = false, CheckpointPath = path, Callbacks = [snapshot, inject],
        });

        var result = trainer.Fit(train, validation);

        Assert.Equal(StopReason.NonFinite, result.StopReason);
        Assert.Contains("epoch 3, batch 3 of 10", result.Message);
        Assert.Contains("NaN", result.Message);
        Assert.Contains("intact", result.Message);
        Assert.Equal(2, result.History.Count);
        Assert.Equal(snapshot.Bytes, File.ReadAllBytes(path)); // untouched by the failed epoch
        Assert.True(result.RestoredBestWeights);
        Assert.Equal(snapshot.BestParameters, net.Parameters.Values.View.Span.ToArray());
    }

    [Fact]
    public void A_huge_learning_rate_stops_with_a_message_and_the_best_weights_back()
    {
        var train = TrainerData.Blobs(40, seed: 1);
        var validation = TrainerData.Blobs(12, seed: 2);
        string path = Path.Combine(_folder, "best.safetensors");
        var snapshot = new CheckpointSnapshot(path);
        var optimizer = new Sgd(0.05, momentum: 0.9);
        var diverge = new AtEpochBegin(3, _ => optimizer.LearningRate = 1e38);
        var net = new TinyClassifier(maxBatch: 4, seed: 3);
        var trainer = new Trainer(net, optimizer, new TrainerOptions
        {
            Epochs = 10, BatchSize = 4, CheckpointPath = path, Callbacks = [snapshot, diverge],
        });

        var result = trainer.Fit(train, validation);

        Assert.Equal(StopReason.NonFinite, result.StopReason);
        Assert.Contains("Training stopped at epoch 3, batch ", result.Message);
        Assert.Contains($"'{Path.GetFullPath(path)}' is intact", result.Message);
        Assert.Equal(2, result.History.Count);
        Assert.Equal(snapshot.Bytes, File.ReadAllBytes(path));
        Assert.Equal(snapshot.BestParameters, net.Parameters.Values.View.Span.ToArray());
        var reloaded = new TinyClassifier(maxBatch: 4);
        reloaded.Load(path);
        Assert.Equal(snapshot.BestParameters, reloaded.Parameters.Values.View.Span.ToArray());
    }

    [Fact]
    public void The_parameter_check_names_the_non_finite_parameter()
    {
        var corrupt = new CorruptAtLastBatch(epoch: 2);
        var net = new TinyClassifier(maxBatch: 4, seed: 3);
        var trainer = new Trainer(net, new Sgd(0.05), new TrainerOptions
        {
            Epochs = 5, BatchSize = 4, ParameterCheck = NonFiniteCheck.EveryEpoch, Callbacks = [corrupt],
        });
        var result = trainer.Fit(TrainerData.Blobs(16, seed: 1));
        Assert.Equal(StopReason.NonFinite, result.StopReason);
        Assert.Contains("the end of epoch 2", result.Message);
        Assert.Contains("'H.bias'[1] = ∞", result.Message.Replace("Infinity", "∞"));
        Assert.Single(result.History);
    }

    private sealed class CorruptAtLastBatch(int epoch) : ITrainingCallback
    {
        public void OnBatchEnd(TrainingContext context, in BatchMetrics batch)
        {
            if (batch.Epoch == epoch && batch.Batch == batch.BatchesPerEpoch)
                context.Network.Parameters.Value("H.bias").Span[1] = float.PositiveInfinity;
        }
    }

    private sealed class CorruptAtBatch(int epoch, int batch) : ITrainingCallback
    {
        public void OnBatchEnd(TrainingContext context, in BatchMetrics metrics)
        {
            if (metrics.Epoch == epoch && metrics.Batch == batch)
                context.Network.Parameters.Value("H.bias").Span[1] = float.PositiveInfinity;
        }
    }

    [Theory]
    [InlineData(NonFiniteCheck.EveryBatch, "Training stopped at epoch 2, batch 2 of 4 ")]
    [InlineData(NonFiniteCheck.EveryEpoch, "Training stopped at the end of epoch 2 ")]
    public void An_infinite_parameter_that_leaves_the_loss_finite_is_caught_by_the_parameter_check(NonFiniteCheck check, string where)
    {
        // An ∞ bias before Tanh saturates the unit (tanh(∞) = 1, gradient 0): the loss stays finite,
        // so only the parameter check notices — after the next step, or at the end of the epoch.
        var net = new TinyClassifier(maxBatch: 4, seed: 3);
        var trainer = new Trainer(net, new Sgd(0.05), new TrainerOptions
        {
            Epochs = 5, BatchSize = 4, Shuffle = false, ParameterCheck = check, Callbacks = [new CorruptAtBatch(epoch: 2, batch: 1)],
        });
        var result = trainer.Fit(TrainerData.Blobs(16, seed: 1));
        Assert.Equal(StopReason.NonFinite, result.StopReason);
        Assert.True(result.Message.StartsWith(where, StringComparison.Ordinal), result.Message);
        Assert.Contains("'H.bias'[1] = ", result.Message);
        Assert.Single(result.History);

        var unchecked_ = new Trainer(new TinyClassifier(maxBatch: 4, seed: 3), new Sgd(0.05), new TrainerOptions
        {
            Epochs = 3, BatchSize = 4, Shuffle = false, ParameterCheck = NonFiniteCheck.Never, Callbacks = [new CorruptAtBatch(epoch: 2, batch: 1)],
        }).Fit(TrainerData.Blobs(16, seed: 1));
        Assert.Equal(StopReason.Completed, unchecked_.StopReason); // the premise: nothing else notices
    }

    [Fact]
    public void A_nan_in_the_first_epoch_says_there_is_no_checkpoint()
    {
        var train = TrainerData.Blobs(8, seed: 1);
        var x = train.Features.ToArray();
        x[0] = float.NaN;
        var poisoned = new Dataset(x, train.Labels.ToArray(), [6], 3);
        var trainer = new Trainer(new TinyClassifier(4), new Sgd(0.1), new TrainerOptions { Epochs = 3, BatchSize = 4, Shuffle = false });
        var result = trainer.Fit(poisoned);
        Assert.Equal(StopReason.NonFinite, result.StopReason);
        Assert.Contains("epoch 1, batch 1 of 2", result.Message);
        Assert.Contains("no best model", result.Message);
        Assert.Empty(result.History);
        Assert.False(result.RestoredBestWeights);
    }
}
