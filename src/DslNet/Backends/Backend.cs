using System;

namespace DslNet.Backends;

/// <summary>
/// The kernel layer. Generated networks are a straight sequence of calls to these methods, with the
/// geometry fixed at compile time; all numerical semantics live here.
///
/// Contract, for every backend:
/// <list type="bullet">
/// <item>Layout is batch-major, channels first, row-major (see <see cref="Conv2DGeometry"/>).</item>
/// <item>Forward kernels overwrite their outputs.</item>
/// <item>Backward kernels ADD into every gradient they produce (input and parameter gradients), so a
/// tensor read by several nodes receives the sum of their gradients; the caller zeroes gradient
/// buffers before a backward pass. An empty view means "this gradient is not wanted". The
/// exceptions are asked for explicitly: the max-pool backward with <c>overwrite: true</c> and the
/// convolution and dense backward with <c>overwriteInputGradient: true</c> write every element of their
/// input gradient, so a caller whose pool, convolution or dense layer is that tensor's only reader need
/// not zero it; the dense backward with <c>overwriteParameterGradients: true</c> likewise writes its
/// weight and bias gradients.</item>
/// <item>Kernels may run asynchronously; <see cref="Synchronize"/> waits for them. Host copies
/// synchronise implicitly.</item>
/// </list>
/// The model follows ILGPU's (buffers, views, explicit synchronisation) so that a GPU backend can be
/// added without touching generated code.
/// </summary>
public abstract class Backend : IDisposable
{
    /// <summary>A short name for summaries and benchmarks, e.g. "cpu (2 threads)".</summary>
    public abstract string Name { get; }

    /// <summary>Allocates a zero-filled buffer of <paramref name="length"/> floats.</summary>
    public abstract DeviceBuffer Allocate(int length);

    /// <summary>Waits until every kernel issued so far has finished.</summary>
    public abstract void Synchronize();

    public abstract void CopyFromHost(ReadOnlySpan<float> source, BufferView destination);
    public abstract void CopyToHost(BufferView source, Span<float> destination);

    // ---- element-wise utilities -------------------------------------------------------------
    public abstract void Fill(BufferView destination, float value);
    /// <summary>destination = source.</summary>
    public abstract void Copy(BufferView source, BufferView destination);
    /// <summary>destination += source.</summary>
    public abstract void Accumulate(BufferView source, BufferView destination);
    /// <summary>
    /// Copies <paramref name="blocks"/> blocks of <paramref name="blockLength"/> elements, block i from
    /// source[i·sourceStride] to destination[i·destinationStride] (views already offset). Concat uses it
    /// with one block per sample.
    /// </summary>
    public abstract void CopyBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride);
    /// <summary>As <see cref="CopyBlocks"/> but destination += source: the backward of a concat.</summary>
    public abstract void AccumulateBlocks(int blocks, int blockLength, BufferView source, int sourceStride, BufferView destination, int destinationStride);

    // ---- fused activations ------------------------------------------------------------------
    // Conv2D and Dense take the activation that follows them, applied together with the bias, so
    // that generated code needs neither a pre-activation buffer nor separate activation passes.
    // Backward then receives the activated output y and the gradient dy with respect to it, and forms
    // dz = dy ⊙ f'(y) inside. That needs a derivative that is a function of the output alone (see
    // CanFuseActivation); other activations keep the separate ActivationForward/ActivationBackward calls.

    /// <summary>
    /// True when <paramref name="kind"/> (with <paramref name="alpha"/>) can be fused into Conv2D and Dense:
    /// Identity, ReLU, Sigmoid, Tanh, and LeakyReLU with alpha ≥ 0 (whose sign then follows the input's).
    /// Their derivatives, from the output y: 1; y &gt; 0 ? 1 : 0; y(1 − y); 1 − y²; y &gt; 0 ? 1 : alpha —
    /// equal to the separate backward kernels' at the kinks (ReLU and LeakyReLU take the left slope at 0).
    /// </summary>
    public static bool CanFuseActivation(ActivationKind kind, float alpha) =>
        kind is ActivationKind.Identity or ActivationKind.ReLU or ActivationKind.Sigmoid or ActivationKind.Tanh
        || (kind == ActivationKind.LeakyReLU && alpha >= 0f);

    // ---- dense -------------------------------------------------------------------------------
    /// <summary>y = x·Wᵀ + b (no activation).</summary>
    public void DenseForward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, BufferView y) =>
        DenseForward(g, batch, x, weight, bias, ActivationKind.Identity, 0f, y);
    /// <summary>y = f(x·Wᵀ + b) with f = <paramref name="activation"/>, which must satisfy <see cref="CanFuseActivation"/>.</summary>
    public abstract void DenseForward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView bias,
        ActivationKind activation, float alpha, BufferView y);
    /// <summary>The backward of <see cref="DenseForward(in DenseGeometry, int, BufferView, BufferView, BufferView, BufferView)"/>.</summary>
    public void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight, BufferView dy,
        BufferView dx, BufferView dWeight, BufferView dBias) =>
        DenseBackward(g, batch, x, weight, ActivationKind.Identity, 0f, BufferView.Empty, dy, dx, dWeight, dBias);
    /// <summary>
    /// The backward of the fused forward: with dz = dy ⊙ f'(y) formed from the activated output
    /// <paramref name="y"/> (which may be empty for Identity), dx += dz·W, dW += dzᵀ·x, db += Σ dz.
    /// </summary>
    public void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias) =>
        DenseBackward(g, batch, x, weight, activation, alpha, y, dy, dx, dWeight, dBias,
            overwriteInputGradient: false, overwriteParameterGradients: false);
    /// <summary>
    /// As the overload above; with <paramref name="overwriteInputGradient"/> dx = dz·W at every element
    /// of dx, and with <paramref name="overwriteParameterGradients"/> dW = dzᵀ·x and db = Σ dz at every
    /// element of dW and db, whatever they held before (NaN included): a caller whose Dense is the only
    /// reader of x, or the only op using W and b, need not zero those gradients. Without a flag that
    /// gradient is added to, as above.
    /// </summary>
    public abstract void DenseBackward(in DenseGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient, bool overwriteParameterGradients);

    // ---- convolution -------------------------------------------------------------------------
    /// <summary>y = W ⋆ x + b (no activation).</summary>
    public void Conv2DForward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView bias, BufferView y) =>
        Conv2DForward(g, batch, x, weight, bias, ActivationKind.Identity, 0f, y);
    /// <summary>y = f(W ⋆ x + b) with f = <paramref name="activation"/>, which must satisfy <see cref="CanFuseActivation"/>.</summary>
    public abstract void Conv2DForward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView bias,
        ActivationKind activation, float alpha, BufferView y);
    /// <summary>The backward of <see cref="Conv2DForward(in Conv2DGeometry, int, BufferView, BufferView, BufferView, BufferView)"/>.</summary>
    public void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight, BufferView dy,
        BufferView dx, BufferView dWeight, BufferView dBias) =>
        Conv2DBackward(g, batch, x, weight, ActivationKind.Identity, 0f, BufferView.Empty, dy, dx, dWeight, dBias);
    /// <summary>
    /// The backward of the fused forward: with dz = dy ⊙ f'(y) formed from the activated output
    /// <paramref name="y"/> (which may be empty for Identity), dx += Wᵀ ⋆ dz, dW += dz ⋆ x, db += Σ dz.
    /// </summary>
    public void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias) =>
        Conv2DBackward(g, batch, x, weight, activation, alpha, y, dy, dx, dWeight, dBias, overwriteInputGradient: false);
    /// <summary>
    /// As the overload above; with <paramref name="overwriteInputGradient"/> dx = Wᵀ ⋆ dz at every element
    /// of dx, whatever dx held before (the parameter gradients still add), so a caller whose convolution
    /// is the only reader of x need not zero x's gradient.
    /// </summary>
    public abstract void Conv2DBackward(in Conv2DGeometry g, int batch, BufferView x, BufferView weight,
        ActivationKind activation, float alpha, BufferView y, BufferView dy, BufferView dx, BufferView dWeight, BufferView dBias,
        bool overwriteInputGradient);

    // ---- pooling -----------------------------------------------------------------------------
    public abstract void MaxPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y);
    /// <summary>
    /// dx += each output gradient routed to the first maximum of its window (recomputed from x; a NaN
    /// wins, the first NaN).
    /// </summary>
    public void MaxPool2DBackward(in Pool2DGeometry g, int batch, BufferView x, BufferView dy, BufferView dx) =>
        MaxPool2DBackward(g, batch, x, ActivationKind.Identity, 0f, dy, dx, overwrite: false);
    /// <summary>
    /// The max-pool backward fused with the backward of the activation that produced the pool's input:
    /// when x = f(z) is the output of a Conv2D or Dense with fused activation f (see
    /// <see cref="CanFuseActivation"/>), forms dz = r ⊙ f'(x), where r is dy routed to each window's first
    /// maximum as in the overload above and f' is taken from the output x. dz is zero at every element
    /// that wins no window (whatever f'(x) is there, NaN included) and at the elements no window covers.
    /// With <paramref name="overwrite"/> dx = dz at every element of dx, whatever dx held before; without
    /// it, dx += dz. Where windows overlap, an element winning several gets Σ dy·f'(x) in window order.
    /// The producing layer's backward then takes dz as its output gradient, with Identity and no y.
    /// </summary>
    public abstract void MaxPool2DBackward(in Pool2DGeometry g, int batch, BufferView x, ActivationKind activation, float alpha,
        BufferView dy, BufferView dx, bool overwrite);
    public abstract void AvgPool2DForward(in Pool2DGeometry g, int batch, BufferView x, BufferView y);
    public abstract void AvgPool2DBackward(in Pool2DGeometry g, int batch, BufferView dy, BufferView dx);
    /// <summary>[N, C, spatial] → [N, C]: the mean over the spatial positions.</summary>
    public abstract void GlobalAvgPoolForward(int batch, int channels, int spatial, BufferView x, BufferView y);
    public abstract void GlobalAvgPoolBackward(int batch, int channels, int spatial, BufferView dy, BufferView dx);

    // ---- activations -------------------------------------------------------------------------
    /// <summary>y = f(x) element-wise over the whole views (equal lengths).</summary>
    public abstract void ActivationForward(ActivationKind kind, float alpha, BufferView x, BufferView y);
    /// <summary>dx += dy · f'(x); kernels may use y = f(x) where that is cheaper.</summary>
    public abstract void ActivationBackward(ActivationKind kind, float alpha, BufferView x, BufferView y, BufferView dy, BufferView dx);
    /// <summary>PReLU with one learned slope per channel (channels = 1 for a shared slope).</summary>
    public abstract void PReluForward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView y);
    public abstract void PReluBackward(int batch, int channels, int spatial, BufferView x, BufferView slope, BufferView dy, BufferView dx, BufferView dSlope);
    /// <summary>Softmax over each row of <paramref name="columns"/> elements (numerically stable).</summary>
    public abstract void SoftmaxForward(int rows, int columns, BufferView x, BufferView y);
    public abstract void SoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx);
    public abstract void LogSoftmaxForward(int rows, int columns, BufferView x, BufferView y);
    public abstract void LogSoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx);

    // ---- normalisation and regularisation ---------------------------------------------------
    /// <summary>
    /// Batch normalisation. Training: normalises with the batch mean and biased variance, stores
    /// mean and 1/sqrt(var + eps) in the save views for backward, and updates the running statistics
    /// as running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance
    /// (PyTorch's convention, momentum = 0.1 by default). Inference: uses the running statistics, and
    /// writes them (mean and 1/sqrt(running var + eps)) into the save views when those are not empty,
    /// so that a backward pass after an inference forward differentiates the fixed affine map.
    /// </summary>
    public abstract void BatchNormForward(in BatchNormGeometry g, int batch, bool training, float momentum, float epsilon,
        BufferView x, BufferView gamma, BufferView beta, BufferView runningMean, BufferView runningVariance,
        BufferView savedMean, BufferView savedInvStd, BufferView y);
    /// <summary>
    /// Batch-norm backward from the statistics saved by the forward pass. <paramref name="training"/>
    /// must say how that forward pass ran: in training mode the batch statistics depend on x (the full
    /// formula); in inference mode they are constants, so dx = γ·invStd·dy (PyTorch's eval-mode gradient).
    /// </summary>
    public abstract void BatchNormBackward(in BatchNormGeometry g, int batch, bool training, BufferView x, BufferView gamma,
        BufferView savedMean, BufferView savedInvStd, BufferView dy, BufferView dx, BufferView dGamma, BufferView dBeta);
    /// <summary>
    /// Inverted dropout: mask[i] = 0 with probability <paramref name="rate"/>, else 1/(1 − rate);
    /// y = x · mask. The mask comes from a counter-based generator keyed by <paramref name="seed"/>,
    /// so a run is reproducible whatever the thread count.
    /// </summary>
    public abstract void DropoutForward(float rate, ulong seed, BufferView x, BufferView mask, BufferView y);
    /// <summary>dx += dy · mask.</summary>
    public abstract void DropoutBackward(BufferView mask, BufferView dy, BufferView dx);

    // ---- merges ------------------------------------------------------------------------------
    /// <summary>y = a + b.</summary>
    public abstract void Add(BufferView a, BufferView b, BufferView y);
    /// <summary>y = a ⊙ b.</summary>
    public abstract void Multiply(BufferView a, BufferView b, BufferView y);
    /// <summary>da += dy ⊙ b; db += dy ⊙ a.</summary>
    public abstract void MultiplyBackward(BufferView a, BufferView b, BufferView dy, BufferView da, BufferView db);

    // ---- losses (targets live on the host; the loss value comes back to the host) ------------
    /// <summary>
    /// Computes a loss over <paramref name="batch"/> rows of <paramref name="features"/> outputs against
    /// float targets (MSE, MAE, BCE, BCE with logits), and writes (overwrites) dOutput = ∂loss/∂output
    /// unless dOutput is empty. Reduction is the mean over all elements, as PyTorch's default.
    /// </summary>
    public abstract float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<float> targets, BufferView dOutput);
    /// <summary>
    /// Computes a classification loss (softmax cross-entropy from logits, or NLL on log-probabilities)
    /// against integer labels, the mean over the batch; writes dOutput unless it is empty.
    /// Labels must already be validated to lie in [0, features).
    /// </summary>
    public abstract float ComputeLoss(Loss kind, int batch, int features, BufferView output, ReadOnlySpan<int> labels, BufferView dOutput);

    // ---- optimizer updates (all parameters of a network in one contiguous buffer) ---------------
    /// <summary>
    /// Σ x² over the view, accumulated in double: NaN if an element is NaN, +∞ if one is infinite
    /// (the optimizers' finiteness check and norm clipping). The summation order depends on the length
    /// only, never on the thread count.
    /// </summary>
    public abstract double SumOfSquares(BufferView x);
    /// <summary>
    /// One optimizer step over every element of <paramref name="parameters"/>, from
    /// <paramref name="gradients"/> (same length, read only) and the optimizer's
    /// <paramref name="state"/> (<see cref="ParameterUpdate.StateSlots"/> slots of parameters.Length
    /// values back to back, updated in place; empty when the rule keeps none). The formulas are on
    /// <see cref="ParameterUpdate"/>.
    /// </summary>
    public abstract void ApplyUpdate(in ParameterUpdate update, BufferView parameters, BufferView gradients, BufferView state);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
