using System;
using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// Updates a <see cref="ParameterSet"/> from its gradients. One optimizer instance belongs to one
/// network: it keeps per-parameter state (momentum, moments), allocated on the first step.
/// </summary>
/// <remarks>
/// <see cref="Step"/> is a template shared by every optimizer:
/// <list type="number">
/// <item>the global L2 norm of the gradients is computed (in double); if it is NaN or infinite,
/// an <see cref="InvalidOperationException"/> is thrown and nothing is changed;</item>
/// <item>gradients are clipped in place, by value (<see cref="ClipGradientValue"/>) and then by
/// global norm (<see cref="ClipGradientNorm"/>), when those options are set;</item>
/// <item>the rate for this step is taken from <see cref="Schedule"/>;</item>
/// <item>the optimizer describes its update for this step (<see cref="Describe"/>: the rule and its
/// coefficients), and the parameters' backend applies it to every element
/// (<see cref="Backend.ApplyUpdate"/>), then <see cref="StepCount"/> advances.</item>
/// </list>
/// The norm and the update are backend kernels, so they run where the parameters live (on the CPU
/// backend, vectorised and split over its threads, with the same result for any thread count).
/// Clipping, when set, reads host memory (<see cref="BufferView.Span"/>). The per-parameter state
/// (momentum, moments) is a buffer of that backend, allocated on the first step; after it no managed
/// memory is allocated.
/// </remarks>
public abstract class Optimizer
{
    private double _learningRate;
    private LearningRateSchedule _schedule = LearningRateSchedule.Constant;
    private double? _clipNorm;
    private double? _clipValue;
    private ParameterSet? _parameters;
    private DeviceBuffer? _state;

    protected Optimizer(double learningRate)
    {
        HyperParameter.Positive(learningRate, nameof(learningRate));
        _learningRate = learningRate;
    }

    /// <summary>
    /// The base learning rate (the constructor's <c>learningRate</c>, PyTorch's <c>lr</c>). The rate
    /// actually used by a step is <see cref="CurrentLearningRate"/>, which the schedule derives from it.
    /// </summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            HyperParameter.Positive(value, nameof(LearningRate));
            _learningRate = value;
        }
    }

    /// <summary>How the rate changes with the step number; <see cref="LearningRateSchedule.Constant"/> by default.</summary>
    public LearningRateSchedule Schedule
    {
        get => _schedule;
        set => _schedule = value ?? throw new ArgumentNullException(nameof(Schedule));
    }

    /// <summary>The rate the next <see cref="Step"/> will use: <c>Schedule.RateAt(LearningRate, StepCount)</c>.</summary>
    public double CurrentLearningRate => _schedule.RateAt(_learningRate, StepCount);

    /// <summary>Number of updates applied so far (a step that throws does not count).</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// When set, gradients whose global L2 norm exceeds this value are scaled to exactly this norm
    /// before the update (PyTorch's clip_grad_norm_). Null (the default) disables it.
    /// </summary>
    public double? ClipGradientNorm
    {
        get => _clipNorm;
        set
        {
            if (value is double v) HyperParameter.Positive(v, nameof(ClipGradientNorm));
            _clipNorm = value;
        }
    }

    /// <summary>
    /// When set, every gradient element is clamped to [−value, value] before the update
    /// (PyTorch's clip_grad_value_), and before norm clipping if both are set. Null disables it.
    /// </summary>
    public double? ClipGradientValue
    {
        get => _clipValue;
        set
        {
            if (value is double v) HyperParameter.Positive(v, nameof(ClipGradientValue));
            _clipValue = value;
        }
    }

    /// <summary>The global L2 norm of the gradients seen by the last successful step, before clipping.</summary>
    public double LastGradientNorm { get; private set; }

    /// <summary>Applies one update to <paramref name="parameters"/> using their current gradients.</summary>
    /// <exception cref="InvalidOperationException">The gradients contain NaN or ∞ (the parameters are left
    /// unchanged), or this optimizer already belongs to another parameter set.</exception>
    public void Step(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Gradients is null)
            throw new ArgumentException("This parameter set is non-trainable state (it has no gradients); optimizers update trainable parameters only.", nameof(parameters));
        if (_parameters is null)
        {
            _state = AllocateState(parameters.Backend, parameters.Count);
            _parameters = parameters;
        }
        else if (!ReferenceEquals(_parameters, parameters))
        {
            throw new InvalidOperationException(
                $"This {GetType().Name} already updates another parameter set ({_parameters.Count} elements); " +
                $"use one optimizer per network, or call Reset() before switching.");
        }

        var backend = parameters.Backend;
        BufferView values = parameters.Values.View;
        BufferView gradients = parameters.Gradients.View;

        double norm = Math.Sqrt(backend.SumOfSquares(gradients));
        if (!double.IsFinite(norm)) throw NonFiniteGradient(parameters, norm);

        double rate = _schedule.RateAt(_learningRate, StepCount);
        if (!(rate >= 0) || double.IsInfinity(rate))
            throw new InvalidOperationException($"The schedule {_schedule} gave the learning rate {rate} at step {StepCount}; it must be finite and ≥ 0.");

        double clippedNorm = norm;
        if (_clipValue is double limit)
        {
            backend.Synchronize();
            GradientClipping.ClipByValue(gradients.Span, limit);
            if (_clipNorm is not null) clippedNorm = Math.Sqrt(backend.SumOfSquares(gradients));
        }
        if (_clipNorm is double maxNorm && clippedNorm > maxNorm)
        {
            backend.Synchronize();
            GradientClipping.Scale(gradients.Span, maxNorm / clippedNorm);
        }

        backend.ApplyUpdate(Describe(rate, StepCount + 1), values, gradients, _state?.View ?? BufferView.Empty);
        StepCount++;
        LastGradientNorm = norm;
    }

    /// <summary>Forgets the state (moments, step count), so the optimizer can start again, on any parameter set.</summary>
    public void Reset()
    {
        _parameters = null;
        StepCount = 0;
        LastGradientNorm = 0;
        _state = null;
    }

    /// <summary>
    /// The update of one step: the rule and its coefficients at <paramref name="learningRate"/> (this
    /// step's rate from the schedule); <paramref name="step"/> is the 1-based number of this update
    /// (for bias corrections). The rule's <see cref="ParameterUpdate.StateSlots"/> must not change
    /// between steps. Must not allocate.
    /// </summary>
    protected abstract ParameterUpdate Describe(double learningRate, long step);

    /// <summary>The value every state element starts from (Adagrad's initial accumulator); 0 by default.</summary>
    protected virtual float InitialStateValue => 0f;

    /// <summary>The state buffer for <paramref name="count"/> parameters, on their backend, filled with <see cref="InitialStateValue"/>.</summary>
    private DeviceBuffer? AllocateState(Backend backend, int count)
    {
        int slots = Describe(_learningRate, 1).StateSlots;
        if (slots == 0) return null;
        var state = backend.Allocate(checked(slots * count));
        backend.Fill(state.View, InitialStateValue);
        return state;
    }

    private static NonFiniteValueException NonFiniteGradient(ParameterSet parameters, double norm)
    {
        // Error path only: find the first offending tensor and element to make the message useful.
        string where = "";
        for (int t = 0; t < parameters.Specs.Count && where.Length == 0; t++)
        {
            var g = parameters.Gradient(t).Span;
            for (int i = 0; i < g.Length; i++)
                if (!float.IsFinite(g[i]))
                {
                    where = $" The first non-finite gradient is '{parameters.Specs[t].Name}'[{i}] = {g[i]}.";
                    break;
                }
        }
        string what = double.IsNaN(norm) ? "NaN" : "infinite";
        return new NonFiniteValueException(
            $"The gradient norm is {what}, so no update was applied and the parameters are unchanged.{where} " +
            "This usually means the loss diverged: lower the learning rate, clip gradients, or check the inputs.");
    }
}

/// <summary>Argument checks shared by optimizers and schedules, with PyTorch-style messages.</summary>
internal static class HyperParameter
{
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0.");
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0.");
    }

    /// <summary>0 ≤ value &lt; 1, as for betas, momentum and decay rates.</summary>
    public static void Fraction(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, 1).");
    }
}
