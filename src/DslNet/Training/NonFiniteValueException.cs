using System;

namespace DslNet.Training;

/// <summary>
/// A loss or a gradient became NaN or infinite, so a training step was refused and the parameters
/// were left unchanged. A separate type so that a training loop (the <see cref="Trainer"/>) can stop
/// cleanly on divergence while other errors still propagate.
/// </summary>
public sealed class NonFiniteValueException : InvalidOperationException
{
    public NonFiniteValueException(string message) : base(message) { }
}
