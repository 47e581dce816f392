namespace DslNet.Backends;

// Geometry records: everything a kernel needs to know about shapes, fixed at compile time by the
// generator and written into generated code as constants. Layout is always batch-major, channels
// first (N, C, H, W) and row-major, as in PyTorch, so weights map 1:1 onto a PyTorch state_dict.

/// <summary>
/// y[r, o] = Σ_i x[r, i] · w[o, i] + b[o] for every row r. Weights are [Out, In] (PyTorch's Linear).
/// A sample has <see cref="RowsPerSample"/> rows: 1 for a feature vector, T for a [T, F] sequence
/// (Dense applies per time step).
/// </summary>
public readonly record struct DenseGeometry(int InFeatures, int OutFeatures, int RowsPerSample = 1)
{
    public int InputSize => InFeatures * RowsPerSample;
    public int OutputSize => OutFeatures * RowsPerSample;
    public int WeightCount => InFeatures * OutFeatures;
}

/// <summary>
/// 2-D cross-correlation. Weights are [OutChannels, InChannels, KernelHeight, KernelWidth].
/// Padding is given as the top/left amounts; the bottom/right amount is whatever makes
/// <see cref="OutHeight"/>/<see cref="OutWidth"/> fit (asymmetric "Same" padding puts the extra row
/// at the bottom, as TensorFlow does). Positions outside the input read as zero.
/// </summary>
public readonly record struct Conv2DGeometry(
    int InChannels, int InHeight, int InWidth,
    int OutChannels, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth,
    int PadTop, int PadLeft,
    int DilationHeight, int DilationWidth,
    int OutHeight, int OutWidth)
{
    public int InputSize => InChannels * InHeight * InWidth;
    public int OutputSize => OutChannels * OutHeight * OutWidth;
    public int WeightCount => OutChannels * InChannels * KernelHeight * KernelWidth;
}

/// <summary>
/// Max or average pooling over KernelHeight × KernelWidth windows, per channel. Padding as in
/// <see cref="Conv2DGeometry"/>. Max pooling ignores padded positions; average pooling divides by
/// the full window size, padding included (PyTorch's count_include_pad = true).
/// </summary>
public readonly record struct Pool2DGeometry(
    int Channels, int InHeight, int InWidth,
    int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth,
    int PadTop, int PadLeft,
    int OutHeight, int OutWidth)
{
    public int InputSize => Channels * InHeight * InWidth;
    public int OutputSize => Channels * OutHeight * OutWidth;
}

/// <summary>
/// Per-channel normalisation over the batch and <see cref="Spatial"/> positions
/// (Spatial = H·W after a convolution, 1 after a Dense layer).
/// </summary>
public readonly record struct BatchNormGeometry(int Channels, int Spatial)
{
    public int SampleSize => Channels * Spatial;
}
