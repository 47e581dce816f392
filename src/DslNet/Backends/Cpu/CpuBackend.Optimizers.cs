using System;

namespace DslNet.Backends.Cpu;

// The optimizer step: the gradient norm and the element-wise update, both split over the worker
// pool (see ParameterUpdateJobs.cs for the kernels and why the results do not depend on the split).
public sealed partial class CpuBackend
{
    public override double SumOfSquares(BufferView x) => ParameterUpdateJobs.SumOfSquares(Pool, Host(x));

    public override void ApplyUpdate(in ParameterUpdate update, BufferView parameters, BufferView gradients, BufferView state)
    {
        int count = parameters.Length;
        RequireSameLength(count, gradients.Length, nameof(gradients));
        RequireSameLength(checked(update.StateSlots * count), state.Length, nameof(state));
        if (!Enum.IsDefined(update.Rule))
            throw new ArgumentOutOfRangeException(nameof(update), update.Rule, "Unknown update rule.");
        if (count == 0) return;
        ParameterUpdateJobs.Apply(Pool, update, Host(parameters), Host(gradients), Host(state));
    }
}
