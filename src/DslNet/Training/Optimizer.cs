namespace DslNet.Training;

/// <summary>
/// Updates a <see cref="ParameterSet"/> from its gradients. One optimizer instance belongs to one
/// network: it keeps per-parameter state (momentum, moments), allocated on the first step.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Applies one update to <paramref name="parameters"/> using their current gradients.</summary>
    public abstract void Step(ParameterSet parameters);
}
