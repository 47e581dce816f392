namespace DslNet.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingPhase
{
    /// <summary>A training batch finished (sent every <see cref="TrainerOptions.ProgressInterval"/> batches).</summary>
    Batch,
    /// <summary>The epoch's batches are done; the validation set is being evaluated.</summary>
    Validating,
    /// <summary>The epoch finished; <see cref="TrainingProgress.Metrics"/> holds its results.</summary>
    EpochEnd,
}

/// <summary>
/// A progress report sent by <see cref="Trainer.Fit"/> through <see cref="System.IProgress{T}"/>. A
/// struct, so reporting allocates nothing (what the receiver does with it is up to the receiver:
/// <see cref="System.Progress{T}"/> posts to a synchronization context and allocates; a direct
/// IProgress implementation need not).
/// </summary>
public readonly record struct TrainingProgress(
    TrainingPhase Phase,
    int Epoch,
    int Epochs,
    int Batch,
    int BatchesPerEpoch,
    double Loss,
    double Accuracy,
    double LearningRate,
    EpochMetrics? Metrics);
