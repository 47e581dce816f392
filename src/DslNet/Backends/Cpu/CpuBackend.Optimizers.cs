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
        // An unknown rule is rejected by ParameterUpdateJobs.Apply before anything is written. (Not
        // Enum.IsDefined: its cache lives behind a weak handle, so after a GC it allocates again,
        // and a training step must allocate nothing.)
        if (count == 0) return;
        ParameterUpdateJobs.Apply(Pool, update, Host(parameters), Host(gradients), Host(state));
    }
}
