using System;
using System.Collections.Generic;

namespace DslNet.Training;

/// <summary>One finished training batch, as callbacks see it.</summary>
public readonly record struct BatchMetrics(int Epoch, int Batch, int BatchesPerEpoch, int Count, float Loss, double RunningLoss, double RunningAccuracy);

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>. Every method has an empty default, so a callback implements
/// only what it needs. Callbacks run on the training thread, in the order of
/// <see cref="TrainerOptions.Callbacks"/>: training begin, then per epoch: epoch begin, batch end
/// (every batch), epoch end (after validation and checkpointing); finally training end.
/// To stop, call <see cref="TrainingContext.RequestStop"/>: training ends after the current batch
/// (that epoch is still validated and recorded) or, from epoch end, before the next epoch.
/// </summary>
public interface ITrainingCallback
{
    void OnTrainingBegin(TrainingContext context) { }

    void OnEpochBegin(TrainingContext context) { }

    /// <summary>Runs after every training step; keep it cheap and allocation-free.</summary>
    void OnBatchEnd(TrainingContext context, in BatchMetrics batch) { }

    void OnEpochEnd(TrainingContext context, EpochMetrics metrics) { }

    void OnTrainingEnd(TrainingContext context, TrainingResult result) { }
}

/// <summary>The state of a running <see cref="Trainer.Fit"/>, shared with the callbacks.</summary>
public sealed class TrainingContext
{
    private readonly List<EpochMetrics> _history;

    internal TrainingContext(Trainer trainer, int epochs, List<EpochMetrics> history)
    {
        Trainer = trainer;
        Epochs = epochs;
        _history = history;
    }

    public Trainer Trainer { get; }
    public Network Network => Trainer.Network;
    public Optimizer Optimizer => Trainer.Optimizer;

    /// <summary>The epoch running now (1-based; 0 before the first).</summary>
    public int Epoch { get; internal set; }

    public int Epochs { get; }

    /// <summary>The epochs completed so far.</summary>
    public IReadOnlyList<EpochMetrics> History => _history;

    public bool StopRequested { get; private set; }

    /// <summary>Why a callback asked to stop.</summary>
    public string? StopMessage { get; private set; }

    /// <summary>Ends training after the current batch (or before the next epoch, when called at epoch end).</summary>
    public void RequestStop(string reason)
    {
        StopRequested = true;
        StopMessage ??= string.IsNullOrWhiteSpace(reason) ? "A callback asked to stop." : reason;
    }
}

/// <summary>Callbacks made from delegates, for the common one-liners.</summary>
public static class TrainingCallback
{
    /// <summary>Calls <paramref name="action"/> after every epoch.</summary>
    public static ITrainingCallback OnEpochEnd(Action<TrainingContext, EpochMetrics> action) =>
        new EpochEndCallback(action ?? throw new ArgumentNullException(nameof(action)));

    private sealed class EpochEndCallback(Action<TrainingContext, EpochMetrics> action) : ITrainingCallback
    {
        public void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => action(context, metrics);
    }
}
