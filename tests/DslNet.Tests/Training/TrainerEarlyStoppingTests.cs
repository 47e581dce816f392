using System;
using System.IO;
using System.Linq;
using DslNet.IO;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Training;

/// <summary>Early stopping, the best checkpoint and restoring the best weights.</summary>
public sealed class TrainerEarlyStoppingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dslnet-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Early_stopping_stops_patience_epochs_after_the_best_and_restores_its_weights()
    {
        // Random labels: the network memorises the training set and the validation loss climbs.
        var train = TrainerData.Noise(24, seed: 1);
        var validation = TrainerData.Noise(30, seed: 2);
        var net = new TinyClassifier(maxBatch: 8, seed: 3);
        const int patience = 3;
        var trainer = new Trainer(net, new Adam(0.03), new TrainerOptions
        {
            Epochs = 200, BatchSize = 8, Seed = 4, EarlyStoppingPatience = patience, RestoreBestWeights = true,
        });

        var result = trainer.Fit(train, validation);

        Assert.Equal(StopReason.EarlyStopping, result.StopReason);
        Assert.Equal(TrainingMetric.ValidationLoss, result.Monitor);
        Assert.Equal(MonitorMode.Min, result.MonitorMode);
        var losses = result.History.Select(e => e.ValidationLoss!.Value).ToArray();
        int best = Array.IndexOf(losses, losses.Min()) + 1; // the first epoch with the lowest loss
        Assert.Equal(best, result.BestEpoch);
        Assert.Equal(best + patience, result.History.Count);
        Assert.True(result.History.Count < 200);
        Assert.Contains($"epoch {best}", result.Message);
        Assert.True(result.RestoredBestWeights);

        // The network now computes exactly what it computed at the best epoch, not at the last one.
        double now = trainer.Evaluate(validation).Loss;
        Assert.Equal(losses[best - 1], now);
        Assert.NotEqual(losses[^1], now);
    }

    [Fact]
    public void Without_restoring_the_network_keeps_the_last_epochs_weights()
    {
        var train = TrainerData.Noise(24, seed: 1);
        var validation = TrainerData.Noise(30, seed: 2);
        var net = new TinyClassifier(maxBatch: 8, seed: 3);
        var trainer = new Trainer(net, new Adam(0.03), new TrainerOptions
        {
            Epochs = 200, BatchSize = 8, Seed = 4, EarlyStoppingPatience = 3, RestoreBestWeights = false,
        });
        var result = trainer.Fit(train, validation);
        Assert.False(result.RestoredBestWeights);
        Assert.Equal(result.History[^1].ValidationLoss!.Value, trainer.Evaluate(validation).Loss);
    }

    [Fact]
    public void Min_delta_counts_only_improvements_larger_than_it()
    {
        // A min-delta larger than any possible change: only the first epoch is ever an improvement.
        var net = new TinyClassifier(maxBatch: 10, seed: 1);
        var trainer = new Trainer(net, new Sgd(0.1, momentum: 0.9), new TrainerOptions
        {
            Epochs = 20, BatchSize = 10, Monitor = TrainingMetric.Loss, MinDelta = 100, EarlyStoppingPatience = 2,
        });
        var result = trainer.Fit(TrainerData.Blobs(60, seed: 2));
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(new[] { true, false, false }, result.History.Select(e => e.IsBest));
    }

    [Fact]
    public void Max_mode_keeps_the_largest_value_and_auto_picks_max_for_accuracies()
    {
        var net = new TinyClassifier(maxBatch: 10, seed: 1);
        var trainer = new Trainer(net, new Sgd(0.05, momentum: 0.9), new TrainerOptions
        {
            Epochs = 30, BatchSize = 10, Monitor = TrainingMetric.Loss, MonitorMode = MonitorMode.Max, EarlyStoppingPatience = 2,
        });
        var result = trainer.Fit(TrainerData.Blobs(60, seed: 2));
        var losses = result.History.Select(e => e.Loss).ToArray();
        int best = Array.IndexOf(losses, losses.Max()) + 1;
        Assert.Equal(MonitorMode.Max, result.MonitorMode);
        Assert.Equal(best, result.BestEpoch);
        Assert.Equal(best + 2, result.History.Count);

        var byAccuracy = new Trainer(new TinyClassifier(10, 1), new Sgd(0.05), new TrainerOptions { Epochs = 1, Monitor = TrainingMetric.ValidationAccuracy, ValidationFraction = 0.2 })
            .Fit(TrainerData.Blobs(60, seed: 2));
        Assert.Equal(MonitorMode.Max, byAccuracy.MonitorMode);
    }

    [Fact]
    public void The_checkpoint_on_disk_holds_the_best_epochs_weights()
    {
        var net = new TinyImageClassifier(maxBatch: 8, seed: 5); // with BatchNorm running statistics (state)
        float[]? bestParameters = null, bestState = null;
        int bestEpochSeen = 0;
        var capture = TrainingCallback.OnEpochEnd((context, epoch) =>
        {
            if (!epoch.IsBest) return;
            bestEpochSeen = epoch.Epoch;
            bestParameters = context.Network.Parameters.Values.View.Span.ToArray();
            bestState = context.Network.State.Values.View.Span.ToArray();
        });
        string path = Path.Combine(_folder, "sub", "best.safetensors"); // the folder is created
        var trainer = new Trainer(net, new Adam(0.05), new TrainerOptions
        {
            Epochs = 12, BatchSize = 8, ValidationFraction = 0.25, CheckpointPath = path, Callbacks = [capture], RestoreBestWeights = false,
        });
        var result = trainer.Fit(TrainerData.Images(48, seed: 6));

        Assert.Equal(Path.GetFullPath(path), result.CheckpointPath);
        Assert.Equal(bestEpochSeen, result.BestEpoch);
        var loaded = new TinyImageClassifier(maxBatch: 8, seed: 99);
        loaded.Load(path);
        Assert.Equal(bestParameters, loaded.Parameters.Values.View.Span.ToArray());
        Assert.Equal(bestState, loaded.State.Values.View.Span.ToArray());
        var metadata = SafeTensors.Read(path).Metadata;
        Assert.Equal(result.BestEpoch.ToString(), metadata["epoch"]);
        Assert.Equal("val_loss", metadata["monitor"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }
}
