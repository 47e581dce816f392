using System;
using System.Collections.Generic;

namespace DslNet.Training;

/// <summary>Loss, accuracy, top-k accuracy and confusion matrix of a network on a dataset, in inference mode.</summary>
public sealed record EvaluationResult(double Loss, double Accuracy, double TopKAccuracy, int TopK, int Count, ConfusionMatrix Confusion);

/// <summary>What one epoch measured. Validation values are null when there was no validation set.</summary>
public sealed record EpochMetrics
{
    /// <summary>1 for the first epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>Mean training loss over the epoch's samples.</summary>
    public required double Loss { get; init; }

    /// <summary>Training accuracy, on the batches as they were trained (training mode).</summary>
    public required double Accuracy { get; init; }

    public required double TopKAccuracy { get; init; }

    /// <summary>Training samples seen (fewer than the set when a callback stopped the epoch early).</summary>
    public required int Samples { get; init; }

    /// <summary>Validation results, or null without a validation set.</summary>
    public EvaluationResult? Validation { get; init; }

    public double? ValidationLoss => Validation?.Loss;
    public double? ValidationAccuracy => Validation?.Accuracy;
    public double? ValidationTopKAccuracy => Validation?.TopKAccuracy;

    /// <summary>The learning rate the next step would use (after the schedule).</summary>
    public required double LearningRate { get; init; }

    /// <summary>The gradient norm of the epoch's last step, before clipping.</summary>
    public required double GradientNorm { get; init; }

    /// <summary>The monitored metric's value for this epoch.</summary>
    public required double MonitoredValue { get; init; }

    /// <summary>This epoch is the best so far (and was checkpointed, if a path was given).</summary>
    public required bool IsBest { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The value of <paramref name="metric"/> in this epoch (NaN for a validation metric without validation).</summary>
    public double Get(TrainingMetric metric) => metric switch
    {
        TrainingMetric.Loss => Loss,
        TrainingMetric.Accuracy => Accuracy,
        TrainingMetric.TopKAccuracy => TopKAccuracy,
        TrainingMetric.ValidationLoss => Validation?.Loss ?? double.NaN,
        TrainingMetric.ValidationAccuracy => Validation?.Accuracy ?? double.NaN,
        TrainingMetric.ValidationTopKAccuracy => Validation?.TopKAccuracy ?? double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}

/// <summary>What <see cref="Trainer.Fit"/> did: the per-epoch history, why it stopped, and the best epoch.</summary>
public sealed record TrainingResult
{
    /// <summary>One entry per completed epoch, in order.</summary>
    public required IReadOnlyList<EpochMetrics> History { get; init; }

    public required StopReason StopReason { get; init; }

    /// <summary>A sentence or two on how training ended (which epoch and batch, for a NaN/∞ stop).</summary>
    public required string Message { get; init; }

    /// <summary>The monitored metric and whether it should go down or up.</summary>
    public required TrainingMetric Monitor { get; init; }
    public required MonitorMode MonitorMode { get; init; }

    /// <summary>The best epoch (1-based), or 0 when no epoch completed.</summary>
    public required int BestEpoch { get; init; }

    /// <summary>The monitored value of the best epoch (NaN when there is none).</summary>
    public required double BestValue { get; init; }

    /// <summary>The checkpoint of the best epoch, when one was written.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>The network was put back to the best epoch's weights at the end.</summary>
    public required bool RestoredBestWeights { get; init; }

    public required int TrainingSamples { get; init; }
    public required int ValidationSamples { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public EpochMetrics? Best => BestEpoch > 0 ? History[BestEpoch - 1] : null;
}
