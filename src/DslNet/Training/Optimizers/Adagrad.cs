using DslNet.Backends;

namespace DslNet.Training;

/// <summary>
/// Adagrad as torch.optim.Adagrad (lr_decay 0; use a <see cref="LearningRateSchedule"/> instead):
/// with g = grad + λ·p, s += g², p −= lr·g/(√s + ε).
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <param name="learningRate">lr &gt; 0 (PyTorch's default 1e−2).</param>
    /// <param name="epsilon">ε &gt; 0 (PyTorch's default 1e−10).</param>
    /// <param name="weightDecay">λ ≥ 0, L2 added to the gradient.</param>
    /// <param name="initialAccumulatorValue">Starting value of s, ≥ 0.</param>
    public Adagrad(double learningRate = 1e-2, double epsilon = 1e-10, double weightDecay = 0, double initialAccumulatorValue = 0)
        : base(learningRate)
    {
        HyperParameter.Positive(epsilon, nameof(epsilon));
        HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        HyperParameter.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
    }

    public double Epsilon { get; }
    public double WeightDecay { get; }
    public double InitialAccumulatorValue { get; }

    protected override float InitialStateValue => (float)InitialAccumulatorValue;

    protected override ParameterUpdate Describe(double learningRate, long step) =>
        ParameterUpdate.Adagrad(learningRate, Epsilon, WeightDecay);
}
