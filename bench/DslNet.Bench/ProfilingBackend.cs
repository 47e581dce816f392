using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using DslNet.Backends;

namespace DslNet.Bench;

/// <summary>
/// A backend that runs every kernel on an inner backend and adds its wall time to a call site, for
/// <c>--profile</c>. A site is a kernel with the lengths of its first and last buffer arguments, which
/// tells apart the layers of the reference networks (C1's and C3's Conv2DForward, S2's and S4's pooling,
/// the zeroing of each gradient region). Kernels run synchronously on the CPU backend, so wall time
/// around a call is the kernel's time. Every abstract member of <see cref="Backend"/> is forwarded
/// here: a kernel added to the contract must be added here too (the build says so).
/// </summary>
internal sealed class ProfilingBackend : Backend
{
    /// <summary>Accumulated time of one call site.</summary>
    public sealed class Site
    {
        public required string Kernel { get; init; }
        public required int FirstLength { get; init; }
        public required int LastLength { get; init; }
        /// <summary>Order of the first call, so a report lists sites as a step runs them.</summary>
        public required int Order { get; init; }
        public long Calls { get; set; }
        public long Ticks { get; set; }
        public double Milliseconds => Ticks * 1000.0 / Stopwatch.Frequency;
    }

    private readonly Backend _inner;
    private readonly Dictionary<(string, int, int), Site> _sites = new();

    public ProfilingBackend(Backend inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>
    /// When set, a DenseBackward asked to overwrite gradients zeroes them and adds instead, as a training
    /// step did before dense layers wrote their gradients (for <c>--ab-dense</c>).
    /// </summary>
    public bool ZeroAndAddDenseGradients { get; init; }

    public IReadOnlyList<Site> Sites => _sites.Values.OrderBy(s => s.Order).ToList();

    /// <summary>Forgets every site (after warm-up).</summary>
    public void Reset() => _sites.Clear();

    private void Record(string kernel, int firstLength, int lastLength, long start)
    {
        long elapsed = Stopwatch.GetTimestamp() - start;
        var key = (kernel, firstLength, lastLength);
        if (!_sites.TryGetValue(key, out var site))
            _sites[key] = site = new Site { Kernel = kernel, FirstLength = firstLength, LastLength = lastLength, Order = _sites.Count };
        site.Calls++;
        site.Ticks += elapsed;
    }

    public override string Name => $"profiling {_inner.Name}";

    public override DeviceBuffer Allocate(int length) => _inner.Allocate(length);

    public override void Synchronize() => _inner.Synchronize();

    public override void CopyFromHost(ReadOnlySpan<float> source, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.CopyFromHost(source, destination);
        Record(nameof(CopyFromHost), destination.Length, destination.Length, start);
    }

    public override void CopyToHost(BufferView source, Span<float> destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.CopyToHost(source, destination);
        Record(nameof(CopyToHost), source.Length, source.Length, start);
    }

    public override void Fill(BufferView destination, float value)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Fill(destination, value);
        Record(nameof(Fill), destination.Length, destination.Length, start);
    }

    public override void Copy(BufferView source, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Copy(source, destination);
        Record(nameof(Copy), source.Length, destination.Length, start);
    }

    public override void Accumulate(BufferView source, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Accumulate(source, destination);
        Record(nameof(Accumulate), source.Length, destination.Length, start);
    }

    public override void CopyBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.CopyBlocks(blocks, blockLength, source, sourceStride, destination, destinationStride);
        Record(nameof(CopyBlocks), source.Length, destination.Length, start);
    }

    public override void AccumulateBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.AccumulateBlocks(blocks, blockLength, source, sourceStride, destination, destinationStride);
        Record(nameof(AccumulateBlocks), source.Length, destination.Length, start);
    }

    public override void DenseForward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, ActivationKind activation, float alpha, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DenseForward(in g, batch, x, weight, bias, activation, alpha, y);
        Record(nameof(DenseForward), x.Length, y.Length, start);
    }

    public override void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight, ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient, bool overwriteParameterGradients)
    {
        if (ZeroAndAddDenseGradients && (overwriteInputGradient || overwriteParameterGradients))
        {
            // A training step as it ran before the dense backward could overwrite: the gradients zeroed
            // (recorded as Fill sites), then added into.
            if (overwriteInputGradient) Fill(dx, 0f);
            if (overwriteParameterGradients)
            {
                Fill(dWeight, 0f);
                Fill(dBias, 0f);
            }
            overwriteInputGradient = overwriteParameterGradients = false;
        }
        long start = Stopwatch.GetTimestamp();
        _inner.DenseBackward(in g, batch, x, weight, activation, alpha, y, dy, dx, dWeight, dBias, overwriteInputGradient, overwriteParameterGradients);
        Record(nameof(DenseBackward), x.Length, dBias.Length, start);
    }

    public override void Conv2DForward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, ActivationKind activation, float alpha, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Conv2DForward(in g, batch, x, weight, bias, activation, alpha, y);
        Record(nameof(Conv2DForward), x.Length, y.Length, start);
    }

    public override void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Conv2DBackward(in g, batch, x, weight, activation, alpha, y, dy, dx, dWeight, dBias, overwriteInputGradient);
        Record(nameof(Conv2DBackward), x.Length, dBias.Length, start);
    }

    public override void MaxPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.MaxPool2DForward(in g, batch, x, y);
        Record(nameof(MaxPool2DForward), x.Length, y.Length, start);
    }

    public override void MaxPool2DBackward(in Pool2DGeometry g, int batch, BufferView x, ActivationKind activation, float alpha,
        BufferView dy, BufferView dx, bool overwrite)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.MaxPool2DBackward(in g, batch, x, activation, alpha, dy, dx, overwrite);
        Record(nameof(MaxPool2DBackward), x.Length, dx.Length, start);
    }

    public override void AvgPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.AvgPool2DForward(in g, batch, x, y);
        Record(nameof(AvgPool2DForward), x.Length, y.Length, start);
    }

    public override void AvgPool2DBackward(in Pool2DGeometry g, int batch, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.AvgPool2DBackward(in g, batch, dy, dx);
        Record(nameof(AvgPool2DBackward), dy.Length, dx.Length, start);
    }

    public override void GlobalAvgPoolForward(int batch, int channels, int spatial, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.GlobalAvgPoolForward(batch, channels, spatial, x, y);
        Record(nameof(GlobalAvgPoolForward), x.Length, y.Length, start);
    }

    public override void GlobalAvgPoolBackward(int batch, int channels, int spatial, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.GlobalAvgPoolBackward(batch, channels, spatial, dy, dx);
        Record(nameof(GlobalAvgPoolBackward), dy.Length, dx.Length, start);
    }

    public override void ActivationForward(ActivationKind kind, float alpha, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.ActivationForward(kind, alpha, x, y);
        Record(nameof(ActivationForward), x.Length, y.Length, start);
    }

    public override void ActivationBackward(ActivationKind kind, float alpha, BufferView x, BufferView y, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.ActivationBackward(kind, alpha, x, y, dy, dx);
        Record(nameof(ActivationBackward), x.Length, dx.Length, start);
    }

    public override void PReluForward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.PReluForward(batch, channels, spatial, x, slope, y);
        Record(nameof(PReluForward), x.Length, y.Length, start);
    }

    public override void PReluBackward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView dy, BufferView dx, BufferView dSlope)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.PReluBackward(batch, channels, spatial, x, slope, dy, dx, dSlope);
        Record(nameof(PReluBackward), x.Length, dSlope.Length, start);
    }

    public override void SoftmaxForward(int rows, int columns, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.SoftmaxForward(rows, columns, x, y);
        Record(nameof(SoftmaxForward), x.Length, y.Length, start);
    }

    public override void SoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.SoftmaxBackward(rows, columns, y, dy, dx);
        Record(nameof(SoftmaxBackward), y.Length, dx.Length, start);
    }

    public override void LogSoftmaxForward(int rows, int columns, BufferView x, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.LogSoftmaxForward(rows, columns, x, y);
        Record(nameof(LogSoftmaxForward), x.Length, y.Length, start);
    }

    public override void LogSoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.LogSoftmaxBackward(rows, columns, y, dy, dx);
        Record(nameof(LogSoftmaxBackward), y.Length, dx.Length, start);
    }

    public override void BatchNormForward(in BatchNormGeometry g, int batch, bool training, float momentum, float epsilon, BufferView x, BufferView gamma, BufferView beta, BufferView runningMean, BufferView runningVariance, BufferView savedMean, BufferView savedInvStd, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.BatchNormForward(in g, batch, training, momentum, epsilon, x, gamma, beta, runningMean, runningVariance, savedMean, savedInvStd, y);
        Record(nameof(BatchNormForward), x.Length, y.Length, start);
    }

    public override void BatchNormBackward(in BatchNormGeometry g, int batch, bool training, BufferView x, BufferView gamma, BufferView savedMean, BufferView savedInvStd, BufferView dy, BufferView dx, BufferView dGamma, BufferView dBeta)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.BatchNormBackward(in g, batch, training, x, gamma, savedMean, savedInvStd, dy, dx, dGamma, dBeta);
        Record(nameof(BatchNormBackward), x.Length, dBeta.Length, start);
    }

    public override void DropoutForward(float rate, ulong seed, BufferView x, BufferView mask, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DropoutForward(rate, seed, x, mask, y);
        Record(nameof(DropoutForward), x.Length, y.Length, start);
    }

    public override void DropoutBackward(BufferView mask, BufferView dy, BufferView dx)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DropoutBackward(mask, dy, dx);
        Record(nameof(DropoutBackward), mask.Length, dx.Length, start);
    }

    public override void Add(BufferView a, BufferView b, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Add(a, b, y);
        Record(nameof(Add), a.Length, y.Length, start);
    }

    public override void Multiply(BufferView a, BufferView b, BufferView y)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Multiply(a, b, y);
        Record(nameof(Multiply), a.Length, y.Length, start);
    }

    public override void MultiplyBackward(BufferView a, BufferView b, BufferView dy, BufferView da, BufferView db)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.MultiplyBackward(a, b, dy, da, db);
        Record(nameof(MultiplyBackward), a.Length, db.Length, start);
    }

    public override float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<float> targets, BufferView dOutput)
    {
        long start = Stopwatch.GetTimestamp();
        var result = _inner.ComputeLoss(kind, batch, features, output, targets, dOutput);
        Record(nameof(ComputeLoss), output.Length, dOutput.Length, start);
        return result;
    }

    public override float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<int> labels, BufferView dOutput)
    {
        long start = Stopwatch.GetTimestamp();
        var result = _inner.ComputeLoss(kind, batch, features, output, labels, dOutput);
        Record(nameof(ComputeLoss), output.Length, dOutput.Length, start);
        return result;
    }

    public override double SumOfSquares(BufferView x)
    {
        long start = Stopwatch.GetTimestamp();
        var result = _inner.SumOfSquares(x);
        Record(nameof(SumOfSquares), x.Length, 0, start);
        return result;
    }

    public override void ApplyUpdate(in ParameterUpdate update, BufferView parameters, BufferView gradients, BufferView state)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.ApplyUpdate(update, parameters, gradients, state);
        Record(nameof(ApplyUpdate), parameters.Length, state.Length, start);
    }
}
