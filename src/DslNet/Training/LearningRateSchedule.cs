using System;

namespace DslNet.Training;

/// <summary>
/// A learning-rate schedule: the rate of the update number <c>step</c> (0 for the first update) as a
/// function of the optimizer's base rate. The optimizer asks for it at every step, so a schedule is
/// a pure function with no state of its own and can be shared. Set it with
/// <see cref="Optimizer.Schedule"/>, e.g. <c>new Adam(1e-3) { Schedule = LearningRateSchedule.CosineAnnealing(10_000) }</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate for update number <paramref name="step"/> (0-based) given the optimizer's base rate.</summary>
    public abstract double RateAt(double baseRate, long step);

    /// <summary>The base rate at every step (the default).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>base·γ^⌊step / stepSize⌋ (PyTorch StepLR, stepped once per update).</summary>
    public static StepDecaySchedule StepDecay(int stepSize, double gamma = 0.1) => new(stepSize, gamma);

    /// <summary>base·γ^step (PyTorch ExponentialLR, stepped once per update).</summary>
    public static ExponentialDecaySchedule Exponential(double gamma) => new(gamma);

    /// <summary>Half a cosine from base down to <paramref name="minimumRate"/> over <paramref name="steps"/> updates, then the minimum.</summary>
    public static CosineAnnealingSchedule CosineAnnealing(long steps, double minimumRate = 0) => new(steps, minimumRate);

    /// <summary>The "Attention is all you need" warm-up, scaled by the base rate (use base 1 for the paper's values).</summary>
    public static TransformerWarmupSchedule TransformerWarmup(int modelDimension, int warmupSteps = 4000) => new(modelDimension, warmupSteps);

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override double RateAt(double baseRate, long step) => baseRate;
        public override string ToString() => "Constant";
    }
}

/// <summary>rate = base·γ^⌊step / StepSize⌋: the rate is multiplied by γ every <see cref="StepSize"/> updates.</summary>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    public StepDecaySchedule(int stepSize, double gamma = 0.1)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "stepSize must be at least 1 update.");
        HyperParameter.Positive(gamma, nameof(gamma));
        StepSize = stepSize;
        Gamma = gamma;
    }

    public int StepSize { get; }
    public double Gamma { get; }

    public override double RateAt(double baseRate, long step) => baseRate * Math.Pow(Gamma, step / StepSize);
    public override string ToString() => $"StepDecay(stepSize: {StepSize}, gamma: {Gamma})";
}

/// <summary>rate = base·γ^step.</summary>
public sealed class ExponentialDecaySchedule : LearningRateSchedule
{
    public ExponentialDecaySchedule(double gamma)
    {
        HyperParameter.Positive(gamma, nameof(gamma));
        Gamma = gamma;
    }

    public double Gamma { get; }

    public override double RateAt(double baseRate, long step) => baseRate * Math.Pow(Gamma, step);
    public override string ToString() => $"Exponential(gamma: {Gamma})";
}

/// <summary>
/// rate = min + (base − min)·(1 + cos(π·step/Steps))/2 for step ≤ Steps, then min (PyTorch's
/// CosineAnnealingLR closed form over one half period; unlike PyTorch it stays at the minimum
/// afterwards instead of rising again).
/// </summary>
public sealed class CosineAnnealingSchedule : LearningRateSchedule
{
    public CosineAnnealingSchedule(long steps, double minimumRate = 0)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1 update.");
        HyperParameter.NonNegative(minimumRate, nameof(minimumRate));
        Steps = steps;
        MinimumRate = minimumRate;
    }

    public long Steps { get; }
    public double MinimumRate { get; }

    public override double RateAt(double baseRate, long step) =>
        step >= Steps ? MinimumRate
            : MinimumRate + (baseRate - MinimumRate) * (1 + Math.Cos(Math.PI * step / Steps)) / 2;

    public override string ToString() => $"CosineAnnealing(steps: {Steps}, minimumRate: {MinimumRate})";
}

/// <summary>
/// rate = base·d^−½·min(n^−½, n·w^−1.5) with n = step + 1 (the paper counts from 1): a linear
/// warm-up over <see cref="WarmupSteps"/> updates, then decay as 1/√n.
/// </summary>
public sealed class TransformerWarmupSchedule : LearningRateSchedule
{
    public TransformerWarmupSchedule(int modelDimension, int warmupSteps = 4000)
    {
        if (modelDimension < 1) throw new ArgumentOutOfRangeException(nameof(modelDimension), modelDimension, "modelDimension must be at least 1.");
        if (warmupSteps < 1) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmupSteps must be at least 1.");
        ModelDimension = modelDimension;
        WarmupSteps = warmupSteps;
    }

    public int ModelDimension { get; }
    public int WarmupSteps { get; }

    public override double RateAt(double baseRate, long step)
    {
        double n = step + 1;
        return baseRate / Math.Sqrt(ModelDimension) * Math.Min(1 / Math.Sqrt(n), n * Math.Pow(WarmupSteps, -1.5));
    }

    public override string ToString() => $"TransformerWarmup(modelDimension: {ModelDimension}, warmupSteps: {WarmupSteps})";
}
