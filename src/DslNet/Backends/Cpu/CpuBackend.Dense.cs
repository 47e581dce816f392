using System;

namespace DslNet.Backends.Cpu;

// SCAFFOLD: replaced by the dense/GEMM work.
public sealed partial class CpuBackend
{
    public override void DenseForward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, BufferView y) => throw new NotImplementedException();
    public override void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias) => throw new NotImplementedException();
}
