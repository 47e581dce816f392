using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using DslNet.Data;

namespace DslNet.Training;

// The training loop.
public sealed partial class Trainer
{
    /// <summary>Epochs run by earlier Fit calls: a later call continues with new shuffles and augmentations.</summary>
    private int _epochsRun;

    /// <summary>
    /// Trains for up to <see cref="TrainerOptions.Epochs"/> epochs on <paramref name="train"/> and
    /// returns the history. Validation uses <paramref name="validation"/>, or a split of
    /// <paramref name="train"/> when <see cref="TrainerOptions.ValidationFraction"/> is set, or none.
    /// Setting <see cref="TrainerOptions.Schedule"/>, <see cref="TrainerOptions.ClipGradientNorm"/> or
    /// <see cref="TrainerOptions.ClipGradientValue"/> sets them on the optimizer, which applies them at
    /// every step. A NaN/∞ loss, gradient or parameter, early stopping, a callback or the token end the
    /// run early; the result says which and why (it is not an exception). Bad arguments throw before
    /// anything changes.
    /// </summary>
    public TrainingResult Fit(Dataset train, Dataset? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        (train, validation) = ResolveData(train, validation);
        var monitor = ResolveMonitor(validation is not null);
        if (Options.CheckpointPath is not null) EnsureFolder(Options.CheckpointPath);
        ConfigureOptimizer();

        var clock = Stopwatch.StartNew();
        var history = new List<EpochMetrics>(Options.Epochs);
        var context = new TrainingContext(this, Options.Epochs, history);
        var best = new TrainerBestModel(Network, monitor, Options.MonitorMode, Options.MinDelta, Options.CheckpointPath);
        var features = new float[BatchSize * train.SampleSize]; // the batch buffer, reused (and augmented in place)
        var batches = train.Batches(BatchSize, Options.Shuffle, Options.Seed, Options.DropLastBatch, features);
        var validationBatches = validation?.Batches(Network.MaxBatch);
        int[] imageShape = train.SampleShape.ToArray();
        var callbacks = Options.Callbacks;
        int topK = Options.TopK;

        var reason = StopReason.Completed;
        string? message = null;
        for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnTrainingBegin(context);

        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                (reason, message) = (StopReason.Cancelled, $"Training was cancelled before epoch {epoch}.");
                break;
            }
            context.Epoch = epoch;
            int epochIndex = _epochsRun++;
            for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnEpochBegin(context);
            if (context.StopRequested)
            {
                (reason, message) = (StopReason.Callback, $"A callback stopped training before epoch {epoch}: {context.StopMessage}");
                break;
            }

            var epochClock = Stopwatch.StartNew();
            int batchesPerEpoch = batches.BatchesPerEpoch;
            double lossSum = 0;
            long correct = 0, topCorrect = 0;
            int seen = 0;
            batches.NextEpoch = epochIndex;
            foreach (var batch in batches)
            {
                int number = batch.Index + 1;
                if (cancellationToken.IsCancellationRequested)
                {
                    (reason, message) = (StopReason.Cancelled, $"Training was cancelled in epoch {epoch}, before batch {number} of {batchesPerEpoch}; the epoch is not recorded.");
                    break;
                }
                Options.Augmentation?.Apply(features.AsSpan(0, batch.Count * train.SampleSize), batch.Count, imageShape, Options.Seed, epochIndex, batch.Index);

                float loss;
                try
                {
                    loss = Network.TrainStep(batch.Features, batch.Labels, Optimizer, Options.Loss);
                }
                catch (NonFiniteValueException error)
                {
                    (reason, message) = (StopReason.NonFinite, NonFiniteMessage($"epoch {epoch}, batch {number} of {batchesPerEpoch}", error.Message, best));
                    break;
                }
                if (Options.ParameterCheck == NonFiniteCheck.EveryBatch && !ParametersFinite())
                {
                    (reason, message) = (StopReason.NonFinite, NonFiniteMessage($"epoch {epoch}, batch {number} of {batchesPerEpoch}",
                        $"after this step the parameter {FirstNonFiniteParameter()} is not finite.", best));
                    break;
                }

                lossSum += (double)loss * batch.Count;
                seen += batch.Count;
                ClassificationMetrics.Accumulate(Network.Output().Span, batch.Labels, ClassCount, topK, ref correct, ref topCorrect);
                var metrics = new BatchMetrics(epoch, number, batchesPerEpoch, batch.Count, loss, lossSum / seen, (double)correct / seen);
                for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnBatchEnd(context, in metrics);
                if (progress is not null && (number % Options.ProgressInterval == 0 || number == batchesPerEpoch))
                    progress.Report(new TrainingProgress(TrainingPhase.Batch, epoch, Options.Epochs, number, batchesPerEpoch,
                        metrics.RunningLoss, metrics.RunningAccuracy, Optimizer.CurrentLearningRate, null));
                if (context.StopRequested) break;
            }
            if (reason != StopReason.Completed) break; // NaN/∞ or cancelled: this epoch is not recorded

            if (Options.ParameterCheck != NonFiniteCheck.Never && FirstNonFiniteParameter() is string where)
            {
                (reason, message) = (StopReason.NonFinite, NonFiniteMessage($"the end of epoch {epoch}", $"the parameter {where} is not finite.", best));
                break;
            }

            EvaluationResult? validated = null;
            if (validationBatches is not null)
            {
                progress?.Report(new TrainingProgress(TrainingPhase.Validating, epoch, Options.Epochs, batchesPerEpoch, batchesPerEpoch,
                    lossSum / seen, (double)correct / seen, Optimizer.CurrentLearningRate, null));
                validated = Evaluate(validationBatches, new ConfusionMatrix(ClassCount));
            }
            double value = monitor switch
            {
                TrainingMetric.Loss => lossSum / seen,
                TrainingMetric.Accuracy => (double)correct / seen,
                TrainingMetric.TopKAccuracy => (double)topCorrect / seen,
                TrainingMetric.ValidationLoss => validated!.Loss,
                TrainingMetric.ValidationAccuracy => validated!.Accuracy,
                _ => validated!.TopKAccuracy,
            };
            if (!double.IsFinite(value))
            {
                (reason, message) = (StopReason.NonFinite, NonFiniteMessage($"the end of epoch {epoch}", $"{monitor.Name(topK)} is {value}.", best));
                break;
            }
            bool isBest = best.Record(epoch, value, topK);
            var epochMetrics = new EpochMetrics
            {
                Epoch = epoch,
                Loss = lossSum / seen,
                Accuracy = (double)correct / seen,
                TopKAccuracy = (double)topCorrect / seen,
                Samples = seen,
                Validation = validated,
                LearningRate = Optimizer.CurrentLearningRate,
                GradientNorm = Optimizer.LastGradientNorm,
                MonitoredValue = value,
                IsBest = isBest,
                Duration = epochClock.Elapsed,
            };
            history.Add(epochMetrics);
            for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnEpochEnd(context, epochMetrics);
            progress?.Report(new TrainingProgress(TrainingPhase.EpochEnd, epoch, Options.Epochs, batchesPerEpoch, batchesPerEpoch,
                epochMetrics.Loss, epochMetrics.Accuracy, epochMetrics.LearningRate, epochMetrics));

            if (context.StopRequested)
            {
                string when = seen < batches.SamplesPerEpoch
                    ? $"in epoch {epoch}, after {seen} of its {batches.SamplesPerEpoch} samples (the partial epoch is recorded)"
                    : $"after epoch {epoch}";
                (reason, message) = (StopReason.Callback, $"A callback stopped training {when}: {context.StopMessage}");
                break;
            }
            if (Options.EarlyStoppingPatience is int patience && best.EpochsWithoutImprovement >= patience)
            {
                (reason, message) = (StopReason.EarlyStopping, string.Create(CultureInfo.InvariantCulture,
                    $"Early stopping after epoch {epoch}: {monitor.Name(topK)} did not improve by more than {Options.MinDelta} for {patience} epoch{(patience == 1 ? "" : "s")}; the best was {best.Describe(topK)}."));
                break;
            }
        }

        bool restore = Options.RestoreBestWeights && best.Epoch > 0
            && (reason == StopReason.NonFinite || history.Count == 0 || best.Epoch != history[^1].Epoch);
        if (restore) best.Restore();
        message ??= $"Trained {history.Count} epoch{(history.Count == 1 ? "" : "s")}; the best was {best.Describe(topK)}.";
        if (restore && reason != StopReason.NonFinite) message += $" The network was restored to the weights of epoch {best.Epoch}.";

        var result = new TrainingResult
        {
            History = history,
            StopReason = reason,
            Message = message,
            Monitor = monitor,
            MonitorMode = best.Mode,
            BestEpoch = best.Epoch,
            BestValue = best.Value,
            CheckpointPath = best.Saved ? System.IO.Path.GetFullPath(Options.CheckpointPath!) : null,
            RestoredBestWeights = restore,
            TrainingSamples = train.Count,
            ValidationSamples = validation?.Count ?? 0,
            Elapsed = clock.Elapsed,
        };
        for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnTrainingEnd(context, result);
        return result;
    }

    private void ConfigureOptimizer()
    {
        if (Options.Schedule is not null) Optimizer.Schedule = Options.Schedule;
        if (Options.ClipGradientNorm is not null) Optimizer.ClipGradientNorm = Options.ClipGradientNorm;
        if (Options.ClipGradientValue is not null) Optimizer.ClipGradientValue = Options.ClipGradientValue;
    }

    /// <summary>"Training stopped at epoch 3, batch 5 of 8: … The best checkpoint (epoch 2, …) in '…' is intact; …"</summary>
    private string NonFiniteMessage(string where, string what, TrainerBestModel best)
    {
        string bestPart;
        if (best.Epoch == 0)
            bestPart = "No epoch had completed, so there is no best model or checkpoint.";
        else
        {
            string restored = Options.RestoreBestWeights ? $" The network was restored to the weights of epoch {best.Epoch}." : "";
            bestPart = best.Saved
                ? $"The best checkpoint ({best.Describe(Options.TopK)}) in '{best.CheckpointPath}' is intact.{restored}"
                : $"The best epoch was {best.Describe(Options.TopK)}.{restored}";
        }
        return $"Training stopped at {where} because a value became NaN or infinite: {what} {bestPart}";
    }
}
