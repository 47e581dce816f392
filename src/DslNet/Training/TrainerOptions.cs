using System;
using System.Collections.Generic;
using DslNet.Data;

namespace DslNet.Training;

/// <summary>
/// Settings of a <see cref="Trainer"/>. Every property has a usable default; the Trainer checks
/// them all when it is created and names the one that is wrong.
/// </summary>
public sealed class TrainerOptions
{
    /// <summary>Epochs to run at most (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per training step; 0 (the default) means the network's maximum batch.</summary>
    public int BatchSize { get; init; }

    /// <summary>Visit the training samples in a new order every epoch (default true). The order of epoch e depends only on (<see cref="Seed"/>, e).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling, the validation split and the augmentation (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>Skip the last batch of an epoch when it is smaller than <see cref="BatchSize"/> (default false).</summary>
    public bool DropLastBatch { get; init; }

    /// <summary>
    /// When no validation set is passed to <see cref="Trainer.Fit"/>, this fraction of the training
    /// set is held out as one (drawn with <see cref="Seed"/>; default 0: no validation).
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>Split every class in the same proportion (default true).</summary>
    public bool StratifiedSplit { get; init; } = true;

    /// <summary>The k of the top-k accuracies (default 5; a k of at least the class count counts every sample).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The metric for early stopping and the best checkpoint; default: validation loss when there is validation data, else training loss.</summary>
    public TrainingMetric? Monitor { get; init; }

    /// <summary>Whether the monitored metric should go down or up (default: from the metric).</summary>
    public MonitorMode MonitorMode { get; init; } = MonitorMode.Auto;

    /// <summary>An epoch improves on the best only by more than this (default 0).</summary>
    public double MinDelta { get; init; }

    /// <summary>Stop after this many epochs in a row without improvement; null (the default) never stops early.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Where to save the best model (safetensors, written atomically at every improvement, folder
    /// created if needed); null (the default) saves nothing.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>At the end, put back the weights of the best epoch if later epochs were worse (default true).</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>When set, replaces the optimizer's learning-rate schedule (applied at every step).</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>When set, the optimizer clips the gradients to this global L2 norm at every step.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>When set, the optimizer clamps every gradient to [−value, value] at every step.</summary>
    public double? ClipGradientValue { get; init; }

    /// <summary>How often to look for NaN/∞ in the parameters (default: every epoch). Losses are checked at every step.</summary>
    public NonFiniteCheck ParameterCheck { get; init; } = NonFiniteCheck.EveryEpoch;

    /// <summary>Applied in place to every training batch (not to validation); null (the default) for none.</summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>Called at the start and end of training, of every epoch, and after every batch, in list order.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = Array.Empty<ITrainingCallback>();

    /// <summary>Report batch progress every this many batches (default 1; the last batch of an epoch is always reported).</summary>
    public int ProgressInterval { get; init; } = 1;

    /// <summary>The loss; <see cref="DslNet.Loss.None"/> (the default) uses the network's own.</summary>
    public Loss Loss { get; init; } = Loss.None;
}
