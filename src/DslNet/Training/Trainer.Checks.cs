using System;
using System.IO;
using DslNet.Data;

namespace DslNet.Training;

// Argument checks, all made before anything changes, each naming what is wrong.
public sealed partial class Trainer
{
    private static void CheckNetwork(Network network, Loss loss)
    {
        var layout = network.Layout;
        if (layout.Inputs.Length != 1 || layout.Outputs.Length != 1)
            throw new ArgumentException(
                $"{layout.Name} has {layout.Inputs.Length} inputs and {layout.Outputs.Length} outputs; the Trainer trains classifiers with one input and one output.", nameof(network));
        var output = layout.Outputs[0];
        if (output.Shape.Length != 1)
            throw new ArgumentException(
                $"{layout.Name}.{output.Name} has shape {output.ShapeText}; the Trainer needs one score per class (a vector output).", nameof(network));
        var kind = loss != Loss.None ? loss : layout.Loss;
        if (kind is not (Loss.SoftmaxCrossEntropy or Loss.NllLoss))
            throw new ArgumentException(
                $"{layout.Name} trains with {(kind == Loss.None ? "no loss" : $"the {kind} loss")}; the Trainer needs a classification loss with integer labels (SoftmaxCrossEntropy or NllLoss).", nameof(network));
    }

    private static void CheckOptions(TrainerOptions o, Network network)
    {
        static ArgumentOutOfRangeException Bad(string name, object? value, string why) => new($"options.{name}", value, why);
        if (o.Epochs < 1) throw Bad(nameof(o.Epochs), o.Epochs, "Train for at least one epoch.");
        if (o.BatchSize < 0 || o.BatchSize > network.MaxBatch)
            throw Bad(nameof(o.BatchSize), o.BatchSize, $"The batch size must be in [1, {network.MaxBatch}] (the network's maximum batch), or 0 for the maximum.");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw Bad(nameof(o.ValidationFraction), o.ValidationFraction, "The validation fraction must be in [0, 1).");
        if (o.TopK < 1) throw Bad(nameof(o.TopK), o.TopK, "k must be at least 1.");
        if (!(o.MinDelta >= 0) || double.IsInfinity(o.MinDelta)) throw Bad(nameof(o.MinDelta), o.MinDelta, "MinDelta must be finite and ≥ 0.");
        if (o.EarlyStoppingPatience is < 1) throw Bad(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Patience must be at least 1 epoch (or null for none).");
        if (o.CheckpointPath is not null && string.IsNullOrWhiteSpace(o.CheckpointPath))
            throw Bad(nameof(o.CheckpointPath), o.CheckpointPath, "The checkpoint path is empty; use null for no checkpoint.");
        if (o.ClipGradientNorm is double n && (!(n > 0) || double.IsInfinity(n))) throw Bad(nameof(o.ClipGradientNorm), n, "The clipping norm must be finite and > 0.");
        if (o.ClipGradientValue is double v && (!(v > 0) || double.IsInfinity(v))) throw Bad(nameof(o.ClipGradientValue), v, "The clipping value must be finite and > 0.");
        if (o.ProgressInterval < 1) throw Bad(nameof(o.ProgressInterval), o.ProgressInterval, "Report at least every batch (1) or less often (> 1).");
        if (o.Callbacks is null) throw new ArgumentNullException("options.Callbacks");
        for (int i = 0; i < o.Callbacks.Count; i++)
            if (o.Callbacks[i] is null) throw new ArgumentNullException("options.Callbacks", $"Callback {i} is null.");
        if (!Enum.IsDefined(o.MonitorMode)) throw Bad(nameof(o.MonitorMode), o.MonitorMode, "Unknown monitor mode.");
        if (o.Monitor is TrainingMetric m && !Enum.IsDefined(m)) throw Bad(nameof(o.Monitor), m, "Unknown metric.");
    }

    private void CheckDataset(Dataset data, string name)
    {
        var input = Network.Layout.Inputs[0];
        if (data.SampleSize != input.Slot.Size)
            throw new ArgumentException(
                $"{name} has samples of [{string.Join(", ", data.SampleShape.ToArray())}] ({data.SampleSize} values); {Network.Layout.Name}.{input.Name} takes {input.ShapeText} ({input.Slot.Size} values).", name);
        if (data.ClassCount > ClassCount)
            throw new ArgumentException(
                $"{name} has {data.ClassCount} classes; {Network.Layout.Name} scores only {ClassCount}.", name);
    }

    /// <summary>The training and validation sets of a Fit call: the given ones, or a split of the training set.</summary>
    private (Dataset Train, Dataset? Validation) ResolveData(Dataset train, Dataset? validation)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            if (Options.ValidationFraction > 0)
                throw new ArgumentException(
                    $"Both a validation set and options.ValidationFraction = {Options.ValidationFraction} were given; pass one or the other.", nameof(validation));
            CheckDataset(validation, nameof(validation));
        }
        else if (Options.ValidationFraction > 0)
        {
            (train, validation) = train.Split(Options.ValidationFraction, Options.Seed, Options.StratifiedSplit);
        }
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (Options.DropLastBatch && train.Count < BatchSize)
            throw new ArgumentException($"With DropLastBatch, {train.Count} training samples make no batch of {BatchSize}.", nameof(train));
        if (validation is { Count: 0 }) validation = null;
        return (train, validation);
    }

    private TrainingMetric ResolveMonitor(bool hasValidation)
    {
        var monitor = Options.Monitor ?? (hasValidation ? TrainingMetric.ValidationLoss : TrainingMetric.Loss);
        if (monitor.NeedsValidation() && !hasValidation)
            throw new ArgumentException(
                $"options.Monitor is {monitor.Name(Options.TopK)}, but there is no validation data: pass a validation set or set ValidationFraction.");
        return monitor;
    }

    /// <summary>The first NaN/∞ among the parameters and state, as "'name'[index] = value", or null.</summary>
    private string? FirstNonFiniteParameter()
    {
        Network.Backend.Synchronize();
        foreach (var set in new[] { Network.Parameters, Network.State })
        {
            if (!AllFinite(set.Values.View.Span)) // fast scan first; names only on the error path
                for (int t = 0; t < set.Specs.Count; t++)
                {
                    var values = set.Value(t).Span;
                    for (int i = 0; i < values.Length; i++)
                        if (!float.IsFinite(values[i])) return $"'{set.Specs[t].Name}'[{i}] = {values[i]}";
                }
        }
        return null;
    }

    private bool ParametersFinite()
    {
        Network.Backend.Synchronize();
        return AllFinite(Network.Parameters.Values.View.Span) && AllFinite(Network.State.Values.View.Span);
    }

    // TensorPrimitives.IsFiniteAll answers false for an empty span (a network without state).
    private static bool AllFinite(ReadOnlySpan<float> values) => values.IsEmpty || System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values);

    private static void EnsureFolder(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }
}
