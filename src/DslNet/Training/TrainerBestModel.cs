using System;
using System.Collections.Generic;
using System.Globalization;
using DslNet.IO;

namespace DslNet.Training;

/// <summary>
/// Keeps track of the best epoch of a Fit call: decides whether an epoch improves on the best
/// (mode and min-delta, as Keras' EarlyStopping), counts the epochs without improvement, keeps a host
/// copy of the best weights (parameters and state, allocated once) and writes the checkpoint.
/// </summary>
internal sealed class TrainerBestModel
{
    private readonly Network _network;
    private readonly float[] _parameters;
    private readonly float[] _state;

    public TrainerBestModel(Network network, TrainingMetric monitor, MonitorMode mode, double minDelta, string? checkpointPath)
    {
        _network = network;
        Monitor = monitor;
        Mode = mode == MonitorMode.Auto ? (monitor.IsLoss() ? MonitorMode.Min : MonitorMode.Max) : mode;
        MinDelta = minDelta;
        CheckpointPath = checkpointPath;
        _parameters = new float[network.Parameters.Count];
        _state = new float[network.State.Count];
    }

    public TrainingMetric Monitor { get; }
    public MonitorMode Mode { get; }
    public double MinDelta { get; }
    public string? CheckpointPath { get; }

    /// <summary>The best epoch so far (1-based), 0 before any.</summary>
    public int Epoch { get; private set; }

    public double Value { get; private set; } = double.NaN;

    /// <summary>Epochs since the last improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>True once a checkpoint file has been written in this Fit call.</summary>
    public bool Saved { get; private set; }

    /// <summary>Whether <paramref name="value"/> beats the best by more than MinDelta (any finite value beats "none yet").</summary>
    public bool Improves(double value)
    {
        if (!double.IsFinite(value)) return false;
        if (Epoch == 0) return true;
        return Mode == MonitorMode.Min ? value < Value - MinDelta : value > Value + MinDelta;
    }

    /// <summary>Records epoch <paramref name="epoch"/> with <paramref name="value"/>; when it improves, keeps its weights and writes the checkpoint.</summary>
    public bool Record(int epoch, double value, int topK)
    {
        if (!Improves(value))
        {
            EpochsWithoutImprovement++;
            return false;
        }
        Epoch = epoch;
        Value = value;
        EpochsWithoutImprovement = 0;
        var backend = _network.Backend;
        backend.CopyToHost(_network.Parameters.Values.View, _parameters);
        if (_state.Length > 0) backend.CopyToHost(_network.State.Values.View, _state);
        if (CheckpointPath is not null)
        {
            // Atomic (temporary file, flush, rename): a crash or a NaN later never leaves a broken best model.
            var metadata = new Dictionary<string, string>
            {
                ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
                ["monitor"] = Monitor.Name(topK),
                ["value"] = value.ToString("R", CultureInfo.InvariantCulture),
            };
            Checkpoint.Save(CheckpointPath, metadata, _network.Parameters, _network.State);
            Saved = true;
        }
        return true;
    }

    /// <summary>Copies the best epoch's weights back into the network.</summary>
    public void Restore()
    {
        if (Epoch == 0) throw new InvalidOperationException("There is no best epoch to restore.");
        var backend = _network.Backend;
        backend.CopyFromHost(_parameters, _network.Parameters.Values.View);
        if (_state.Length > 0) backend.CopyFromHost(_state, _network.State.Values.View);
    }

    /// <summary>"epoch 3, val_loss 0.4123".</summary>
    public string Describe(int topK) =>
        Epoch == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}, {Monitor.Name(topK)} {Value:G5}");
}
