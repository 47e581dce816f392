using System;
using DslNet.Data;

namespace DslNet.Training;

/// <summary>
/// A training loop for classifiers in the style of Keras' <c>fit</c>: epochs of shuffled
/// mini-batches, an optional validation set (or split), loss / accuracy / top-k / confusion-matrix
/// metrics, early stopping on a monitored metric, a checkpoint of the best model, the best weights
/// restored at the end, learning-rate schedule and gradient clipping at every step (through the
/// optimizer), data augmentation, callbacks and progress reports. It stops cleanly — with a message
/// naming the epoch and batch, the best checkpoint left intact — when a loss, a gradient or a
/// parameter becomes NaN or ∞.
/// <code>
/// var trainer = new Trainer(net, new Sgd(0.01, momentum: 0.9), new TrainerOptions
/// {
///     Epochs = 20, BatchSize = 64, ValidationFraction = 0.1,
///     EarlyStoppingPatience = 3, CheckpointPath = "runs/best.safetensors",
/// });
/// TrainingResult result = trainer.Fit(data.Train, progress: myProgress);
/// </code>
/// The library never writes to the console: progress goes to an <see cref="IProgress{T}"/> of
/// <see cref="TrainingProgress"/> and to <see cref="ITrainingCallback"/>s. After the first batch a
/// training step allocates nothing (batches, metrics and reports reuse their buffers).
/// </summary>
public sealed partial class Trainer
{
    /// <summary>Creates a trainer; every option is checked here, against the network.</summary>
    public Trainer(Network network, Optimizer optimizer, TrainerOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Options = options ?? new TrainerOptions();
        CheckNetwork(network, Options.Loss);
        CheckOptions(Options, network);
        ClassCount = network.Layout.Outputs[0].Shape[0];
        BatchSize = Options.BatchSize == 0 ? network.MaxBatch : Options.BatchSize;
    }

    public Network Network { get; }
    public Optimizer Optimizer { get; }
    public TrainerOptions Options { get; }

    /// <summary>The number of classes: the size of the network's output.</summary>
    public int ClassCount { get; }

    /// <summary>Samples per training step.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Loss, accuracy, top-k accuracy (k = <see cref="TrainerOptions.TopK"/>) and the confusion
    /// matrix of the network on <paramref name="data"/>, in inference mode, in batches of the
    /// network's maximum batch size.
    /// </summary>
    public EvaluationResult Evaluate(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckDataset(data, nameof(data));
        var batches = data.Batches(Network.MaxBatch);
        return Evaluate(batches, new ConfusionMatrix(ClassCount));
    }

    /// <summary>Evaluates every batch of <paramref name="batches"/> (one epoch of it) into <paramref name="confusion"/>.</summary>
    private EvaluationResult Evaluate(BatchIterator batches, ConfusionMatrix confusion)
    {
        confusion.Clear();
        double lossSum = 0;
        long correct = 0, topK = 0;
        int count = 0;
        foreach (var batch in batches)
        {
            float loss = Network.Evaluate(batch.Features, batch.Labels, Options.Loss);
            lossSum += (double)loss * batch.Count;
            ClassificationMetrics.Accumulate(Network.Output().Span, batch.Labels, ClassCount, Options.TopK, ref correct, ref topK, confusion);
            count += batch.Count;
        }
        return count == 0
            ? new EvaluationResult(double.NaN, double.NaN, double.NaN, Options.TopK, 0, confusion)
            : new EvaluationResult(lossSum / count, (double)correct / count, (double)topK / count, Options.TopK, count, confusion);
    }
}
