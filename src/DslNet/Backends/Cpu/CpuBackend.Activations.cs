using System;

namespace DslNet.Backends.Cpu;

// SCAFFOLD: replaced by the activation work.
public sealed partial class CpuBackend
{
    public override void ActivationForward(ActivationKind kind, float alpha, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void ActivationBackward(ActivationKind kind, float alpha, BufferView x, BufferView y, BufferView dy, BufferView dx) => throw new NotImplementedException();
    public override void SoftmaxForward(int rows, int columns, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void SoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx) => throw new NotImplementedException();
    public override void LogSoftmaxForward(int rows, int columns, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void LogSoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx) => throw new NotImplementedException();
}
