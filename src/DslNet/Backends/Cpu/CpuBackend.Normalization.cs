using System;

namespace DslNet.Backends.Cpu;

// SCAFFOLD: replaced by the normalisation work.
public sealed partial class CpuBackend
{
    public override void BatchNormForward(in BatchNormGeometry g, int batch, bool training, float momentum, float epsilon, BufferView x, BufferView gamma, BufferView beta, BufferView runningMean, BufferView runningVariance, BufferView savedMean, BufferView savedInvStd, BufferView y) => throw new NotImplementedException();
    public override void BatchNormBackward(in BatchNormGeometry g, int batch, BufferView x, BufferView gamma, BufferView savedMean, BufferView savedInvStd, BufferView dy, BufferView dx, BufferView dGamma, BufferView dBeta) => throw new NotImplementedException();
    public override void DropoutForward(float rate, ulong seed, BufferView x, BufferView mask, BufferView y) => throw new NotImplementedException();
    public override void DropoutBackward(BufferView mask, BufferView dy, BufferView dx) => throw new NotImplementedException();
    public override void PReluForward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView y) => throw new NotImplementedException();
    public override void PReluBackward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView dy, BufferView dx, BufferView dSlope) => throw new NotImplementedException();
}
