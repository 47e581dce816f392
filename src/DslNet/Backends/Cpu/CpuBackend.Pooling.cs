using System;

namespace DslNet.Backends.Cpu;

// SCAFFOLD: replaced by the pooling work.
public sealed partial class CpuBackend
{
    public override void MaxPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void MaxPool2DBackward(in Pool2DGeometry g, int batch, BufferView x, BufferView dy, BufferView dx) => throw new NotImplementedException();
    public override void AvgPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void AvgPool2DBackward(in Pool2DGeometry g, int batch, BufferView dy, BufferView dx) => throw new NotImplementedException();
    public override void GlobalAvgPoolForward(int batch, int channels, int spatial, BufferView x, BufferView y) => throw new NotImplementedException();
    public override void GlobalAvgPoolBackward(int batch, int channels, int spatial, BufferView dy, BufferView dx) => throw new NotImplementedException();
}
