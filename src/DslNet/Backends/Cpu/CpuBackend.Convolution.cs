using System;

namespace DslNet.Backends.Cpu;

// SCAFFOLD: replaced by the convolution work.
public sealed partial class CpuBackend
{
    public override void Conv2DForward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, BufferView y) => throw new NotImplementedException();
    public override void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias) => throw new NotImplementedException();
}
