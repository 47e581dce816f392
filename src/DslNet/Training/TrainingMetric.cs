namespace DslNet.Training;

/// <summary>A per-epoch number the <see cref="Trainer"/> can monitor for early stopping and checkpoints.</summary>
public enum TrainingMetric
{
    /// <summary>Mean training loss over the epoch's batches ("loss").</summary>
    Loss,
    /// <summary>Training accuracy, measured on the training batches as they were trained (dropout active) ("accuracy").</summary>
    Accuracy,
    /// <summary>Training top-k accuracy ("top{k}_accuracy").</summary>
    TopKAccuracy,
    /// <summary>Mean loss on the validation set, in inference mode ("val_loss").</summary>
    ValidationLoss,
    /// <summary>Accuracy on the validation set ("val_accuracy").</summary>
    ValidationAccuracy,
    /// <summary>Top-k accuracy on the validation set ("val_top{k}_accuracy").</summary>
    ValidationTopKAccuracy,
}

/// <summary>Whether a smaller or a larger value of the monitored metric is better.</summary>
public enum MonitorMode
{
    /// <summary>Min for losses, max for accuracies.</summary>
    Auto,
    Min,
    Max,
}

/// <summary>How often the <see cref="Trainer"/> looks for NaN or ∞ in the parameters (losses are always checked).</summary>
public enum NonFiniteCheck
{
    Never,
    /// <summary>After the last batch of every epoch, before validation (the default).</summary>
    EveryEpoch,
    /// <summary>After every training step (one pass over the parameters per step).</summary>
    EveryBatch,
}

/// <summary>Why <see cref="Trainer.Fit"/> returned.</summary>
public enum StopReason
{
    /// <summary>All epochs ran.</summary>
    Completed,
    /// <summary>The monitored metric did not improve for <see cref="TrainerOptions.EarlyStoppingPatience"/> epochs.</summary>
    EarlyStopping,
    /// <summary>A loss, a gradient or a parameter became NaN or ∞.</summary>
    NonFinite,
    /// <summary>A callback asked to stop (<see cref="TrainingContext.RequestStop"/>).</summary>
    Callback,
    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled,
}

internal static class TrainingMetricExtensions
{
    public static bool NeedsValidation(this TrainingMetric metric) =>
        metric is TrainingMetric.ValidationLoss or TrainingMetric.ValidationAccuracy or TrainingMetric.ValidationTopKAccuracy;

    public static bool IsLoss(this TrainingMetric metric) => metric is TrainingMetric.Loss or TrainingMetric.ValidationLoss;

    /// <summary>Keras-style short name: "loss", "val_accuracy", "val_top5_accuracy".</summary>
    public static string Name(this TrainingMetric metric, int k) => metric switch
    {
        TrainingMetric.Loss => "loss",
        TrainingMetric.Accuracy => "accuracy",
        TrainingMetric.TopKAccuracy => $"top{k}_accuracy",
        TrainingMetric.ValidationLoss => "val_loss",
        TrainingMetric.ValidationAccuracy => "val_accuracy",
        TrainingMetric.ValidationTopKAccuracy => $"val_top{k}_accuracy",
        _ => metric.ToString(),
    };
}
