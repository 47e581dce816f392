using System;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.IO;
using DslNet.Training;

namespace DslNet;

/// <summary>
/// The runtime half of every generated network. The generator derives the user's partial class from
/// it and supplies the layout and two straight-line methods, <see cref="ForwardCore"/> and
/// <see cref="BackwardCore"/>; everything that is the same for every network (buffers, argument
/// checks, training steps, losses, checkpoints) lives here, once.
///
/// All memory is allocated in the constructor. Forward, Backward and TrainStep allocate nothing.
/// Every public method validates its arguments before touching any state: a call that throws
/// leaves the network as it was.
/// </summary>
public abstract class Network
{
    private readonly DeviceBuffer _activations;
    private readonly DeviceBuffer _activationGradients;
    private readonly DeviceBuffer _scratch;
    private bool _wantInputGradient;
    private ulong _trainingForwardCount;
    // The stretches of the gradient buffer a training step zeroes, as (offset, length) pairs: all of it
    // except the output's slot (the loss writes it), the inputs' slots (a training step never forms
    // input gradients, see InputGradient) and the slots backward overwrites before reading them
    // (Layout.OverwrittenGradients).
    private readonly (int Offset, int Length)[] _trainingGradientRuns;
    // The stretches of the parameter gradients a training step zeroes: all but the tensors backward
    // writes in full (Layout.OverwrittenParameterGradients).
    private readonly (int Offset, int Length)[] _trainingParameterGradientRuns;

    protected Network(NetworkLayout layout, int maxBatch, int seed, Backend? backend)
    {
        if (maxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"{layout.Name}: the maximum batch size must be at least 1.");
        if ((long)maxBatch * layout.ActivationSize > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch,
                $"{layout.Name}: {maxBatch} samples × {layout.ActivationSize} activations per sample do not fit one buffer; lower the maximum batch.");
        Layout = layout;
        MaxBatch = maxBatch;
        Seed = seed;
        Backend = backend ?? CpuBackend.Default;
        Parameters = new ParameterSet(Backend, layout.Parameters, trainable: true);
        State = new ParameterSet(Backend, layout.State, trainable: false);
        Parameters.Initialize(seed);
        State.Initialize(seed);
        _activations = Backend.Allocate(maxBatch * layout.ActivationSize);
        _activationGradients = Backend.Allocate(maxBatch * layout.ActivationSize);
        _scratch = Backend.Allocate(layout.ScratchSize);
        _trainingGradientRuns = GradientRunsToClear(layout, maxBatch);
        _trainingParameterGradientRuns = Parameters.GradientRunsOutside(layout.OverwrittenParameterGradients);
    }

    /// <summary>The complement of the output's, the inputs' and the overwritten slots in the gradient buffer, in whole stretches.</summary>
    private static (int Offset, int Length)[] GradientRunsToClear(NetworkLayout layout, int maxBatch)
    {
        var kept = new System.Collections.Generic.List<ActivationSlot> { layout.Outputs[0].Slot };
        foreach (var input in layout.Inputs) kept.Add(input.Slot);
        kept.AddRange(layout.OverwrittenGradients ?? Array.Empty<ActivationSlot>());
        kept.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var runs = new System.Collections.Generic.List<(int, int)>();
        int at = 0, total = layout.ActivationSize * maxBatch;
        foreach (var slot in kept)
        {
            int start = slot.Offset * maxBatch, end = start + slot.Size * maxBatch;
            if (start > at) runs.Add((at, start - at));
            at = Math.Max(at, end);
        }
        if (total > at) runs.Add((at, total - at));
        return runs.ToArray();
    }

    /// <summary>The compile-time description of this network.</summary>
    public NetworkLayout Layout { get; }

    /// <summary>The largest batch Forward and TrainStep accept (buffers are sized for it).</summary>
    public int MaxBatch { get; }

    /// <summary>The seed of the weight initialisation and the dropout masks.</summary>
    public int Seed { get; }

    public Backend Backend { get; }

    /// <summary>Trainable parameters (one contiguous buffer, named as the nodes), with their gradients.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Non-trainable state (BatchNorm running statistics): saved and loaded, never optimised.</summary>
    public ParameterSet State { get; }

    /// <summary>
    /// When true, <see cref="Forward(ReadOnlySpan{float})"/> runs in training mode (dropout active,
    /// BatchNorm on batch statistics, running statistics updated). TrainStep always trains and
    /// Predict/Evaluate never do, whatever this says.
    /// </summary>
    public bool Training { get; set; }

    /// <summary>The batch size of the last forward pass (0 before the first).</summary>
    public int Batch { get; private set; }

    /// <summary>
    /// Whether the last forward pass ran in training mode: backward differentiates what that pass
    /// computed (BatchNorm on batch statistics, or on its fixed running statistics).
    /// </summary>
    protected bool LastForwardTrained { get; private set; }

    // ---- what the generated code supplies -------------------------------------------------

    /// <summary>Runs every node for <paramref name="batch"/> samples whose inputs are already in place.</summary>
    protected abstract void ForwardCore(int batch, bool training);

    /// <summary>
    /// Propagates the output gradients (already in place) back to every parameter and, when
    /// <see cref="InputGradient"/> asks for them, to the inputs. The gradients it adds into are zero on entry;
    /// those it writes in full (<see cref="NetworkLayout.OverwrittenGradients"/> and
    /// <see cref="NetworkLayout.OverwrittenParameterGradients"/>) may hold anything: a training step leaves
    /// them as the last step left them, <see cref="Backward"/> zeroes them with the rest.
    /// </summary>
    protected abstract void BackwardCore(int batch);

    // ---- views for the generated code ------------------------------------------------------

    protected BufferView Activation(ActivationSlot slot, int batch) => _activations.Slice(slot.Offset * MaxBatch, slot.Size * batch);

    /// <summary>The whole activation-gradient buffer, for tests that fill it with garbage before a step.</summary>
    internal DeviceBuffer ActivationGradientBuffer => _activationGradients;

    protected BufferView ActivationGradient(ActivationSlot slot, int batch) => _activationGradients.Slice(slot.Offset * MaxBatch, slot.Size * batch);

    /// <summary>The gradient view of an input, or empty when no input gradient was requested (training).</summary>
    protected BufferView InputGradient(ActivationSlot slot, int batch) => _wantInputGradient ? ActivationGradient(slot, batch) : BufferView.Empty;

    protected BufferView Weight(int index) => Parameters.Value(index);

    protected BufferView WeightGradient(int index) => Parameters.Gradient(index);

    protected BufferView StateValue(int index) => State.Value(index);

    protected BufferView Scratch(int offset, int length) => _scratch.Slice(offset, length);

    /// <summary>The view without its first <paramref name="offset"/> elements (a concat part's start).</summary>
    protected static BufferView Skip(BufferView view, int offset) => view.IsEmpty ? view : view.Slice(offset, view.Length - offset);

    /// <summary>A fresh seed for dropout op <paramref name="op"/>: different every training pass, reproducible from <see cref="Seed"/>.</summary>
    protected ulong DropoutSeed(int op) => ((ulong)(uint)Seed << 40) ^ (_trainingForwardCount << 12) ^ (ulong)op;

    /// <summary>A view of the node's last activation, for the generated node properties.</summary>
    protected Tensor NodeView(NetworkNode node) => new(Activation(node.Slot, MaxBatch), Batch, node.Shape);

    // ---- forward and backward ---------------------------------------------------------------

    /// <summary>
    /// Runs the network on a batch (the input length must be a multiple of the per-sample size) and
    /// returns a view of the output. For networks with one input and one output; generated overloads
    /// cover several inputs.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<float> input)
    {
        RequireSingle(Layout.Inputs, "input", "the generated Forward overload with one argument per input");
        int batch = BatchOf(Layout.Inputs[0], input.Length);
        LoadInput(0, input, batch);
        RunForward(batch, Training);
        return Output(0);
    }

    /// <summary>Copies input <paramref name="index"/> for <paramref name="batch"/> samples (validated by the caller).</summary>
    protected void LoadInput(int index, ReadOnlySpan<float> input, int batch) =>
        Backend.CopyFromHost(input, Activation(Layout.Inputs[index].Slot, batch));

    /// <summary>Runs ForwardCore and records the batch.</summary>
    protected void RunForward(int batch, bool training)
    {
        if (training) _trainingForwardCount++;
        ForwardCore(batch, training);
        Batch = batch;
        LastForwardTrained = training;
    }

    /// <summary>The number of samples in <paramref name="length"/> values of <paramref name="port"/>, checked against MaxBatch.</summary>
    protected int BatchOf(NetworkPort port, int length)
    {
        int size = port.Slot.Size;
        if (length == 0 || length % size != 0)
            throw new ArgumentException(
                $"{Layout.Name}.{port.Name}: {length} values is not a whole number of samples of shape {port.ShapeText} ({size} values each).");
        int batch = length / size;
        if (batch > MaxBatch)
            throw new ArgumentException(
                $"{Layout.Name}.{port.Name}: a batch of {batch} samples is larger than the maximum batch {MaxBatch} this network was created with.");
        return batch;
    }

    /// <summary>A view of output <paramref name="index"/> from the last forward pass.</summary>
    public Tensor Output(int index = 0)
    {
        var port = Layout.Outputs[index];
        return new Tensor(Activation(port.Slot, MaxBatch), Batch, port.Shape);
    }

    /// <summary>
    /// Back-propagates <paramref name="outputGradient"/> (∂loss/∂output for the batch of the last
    /// Forward) and returns ∂loss/∂input, so networks can be chained (a GAN's generator receives the
    /// discriminator's input gradient). Parameter gradients are left in <see cref="Parameters"/>.
    /// </summary>
    public Tensor Backward(ReadOnlySpan<float> outputGradient)
    {
        RequireSingle(Layout.Outputs, "output", null);
        RequireSingle(Layout.Inputs, "input", null);
        RequireForward();
        var port = Layout.Outputs[0];
        if (outputGradient.Length != Batch * port.Slot.Size)
            throw new ArgumentException(
                $"{Layout.Name}.{port.Name}: the output gradient has {outputGradient.Length} values; the last forward pass produced {Batch} × {port.ShapeText} = {Batch * port.Slot.Size}.");
        ZeroGradients();
        Backend.CopyFromHost(outputGradient, ActivationGradient(port.Slot, Batch));
        _wantInputGradient = true;
        BackwardCore(Batch);
        var input = Layout.Inputs[0];
        return new Tensor(ActivationGradient(input.Slot, MaxBatch), Batch, input.Shape);
    }

    private void ZeroGradients()
    {
        Backend.Fill(_activationGradients.View, 0f);
        Parameters.ZeroGradients();
    }

    // ---- training -----------------------------------------------------------------------------

    /// <summary>
    /// One training step on a batch with integer class labels (softmax cross-entropy, NLL): forward
    /// in training mode, loss, backward, optimizer update. Returns the batch's mean loss.
    /// </summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, Optimizer optimizer, Loss loss = Loss.None)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var (batch, rows, classes, kind) = CheckLabels(input, labels, loss);
        LoadInput(0, input, batch);
        RunForward(batch, training: true);
        float value = Backend.ComputeLoss(kind, rows, classes, Activation(Layout.Outputs[0].Slot, batch), labels,
            ActivationGradient(Layout.Outputs[0].Slot, batch));
        return FinishStep(value, kind, batch, optimizer);
    }

    /// <summary>One training step against float targets (MSE, MAE, BCE): as the label overload.</summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, Optimizer optimizer, Loss loss = Loss.None)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var (batch, rows, features, kind) = CheckTargets(input, targets, loss);
        LoadInput(0, input, batch);
        RunForward(batch, training: true);
        float value = Backend.ComputeLoss(kind, rows, features, Activation(Layout.Outputs[0].Slot, batch), targets,
            ActivationGradient(Layout.Outputs[0].Slot, batch));
        return FinishStep(value, kind, batch, optimizer);
    }

    private float FinishStep(float loss, Loss kind, int batch, Optimizer optimizer)
    {
        if (!float.IsFinite(loss))
            throw new NonFiniteValueException(
                $"{Layout.Name}: the {kind} loss is {loss} on this batch; the parameters were not updated. Lower the learning rate, clip gradients, or check the data for NaN/Inf.");
        // ComputeLoss wrote the output gradient; clear the gradients backward adds into (not the
        // inputs': with _wantInputGradient false no kernel writes them; nor those backward overwrites).
        // Backward clears everything instead: overwriting a zero gives what adding to it gives.
        Parameters.ZeroGradients(_trainingParameterGradientRuns);
        foreach (var (offset, length) in _trainingGradientRuns) Backend.Fill(_activationGradients.Slice(offset, length), 0f);
        _wantInputGradient = false;
        BackwardCore(batch);
        optimizer.Step(Parameters);
        return loss;
    }

    /// <summary>The mean loss on a batch with class labels, in inference mode, without training.</summary>
    public float Evaluate(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, Loss loss = Loss.None)
    {
        var (batch, rows, classes, kind) = CheckLabels(input, labels, loss);
        LoadInput(0, input, batch);
        RunForward(batch, training: false);
        return Backend.ComputeLoss(kind, rows, classes, Activation(Layout.Outputs[0].Slot, batch), labels, BufferView.Empty);
    }

    /// <summary>The mean loss on a batch with float targets, in inference mode, without training.</summary>
    public float Evaluate(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, Loss loss = Loss.None)
    {
        var (batch, rows, features, kind) = CheckTargets(input, targets, loss);
        LoadInput(0, input, batch);
        RunForward(batch, training: false);
        return Backend.ComputeLoss(kind, rows, features, Activation(Layout.Outputs[0].Slot, batch), targets, BufferView.Empty);
    }

    /// <summary>
    /// Classifies a batch in inference mode: writes the index of the largest output of each sample
    /// (each row, for a sequence output) into <paramref name="classes"/>. Returns the number written.
    /// </summary>
    public int Predict(ReadOnlySpan<float> input, Span<int> classes)
    {
        RequireSingle(Layout.Inputs, "input", "the generated Forward overload");
        RequireSingle(Layout.Outputs, "output", "Output(index)");
        int batch = BatchOf(Layout.Inputs[0], input.Length);
        var output = Layout.Outputs[0];
        int width = output.Shape[^1];
        int rows = batch * (output.Slot.Size / width);
        if (classes.Length < rows)
            throw new ArgumentException($"{Layout.Name}: {rows} predictions do not fit a span of {classes.Length}.", nameof(classes));
        LoadInput(0, input, batch);
        RunForward(batch, training: false);
        var values = Activation(output.Slot, batch).Span;
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            int best = 0;
            for (int j = 1; j < width; j++) if (row[j] > row[best]) best = j;
            classes[r] = best;
        }
        return rows;
    }

    /// <summary>The predicted class of one sample (networks with one vector output).</summary>
    public int Predict(ReadOnlySpan<float> sample)
    {
        RequireSingle(Layout.Inputs, "input", "the generated Forward overload");
        RequireSingle(Layout.Outputs, "output", "Output(index)");
        var input = Layout.Inputs[0];
        if (sample.Length != input.Slot.Size)
            throw new ArgumentException($"{Layout.Name}.{input.Name}: one sample of shape {input.ShapeText} has {input.Slot.Size} values, not {sample.Length}.", nameof(sample));
        if (Layout.Outputs[0].Shape.Length != 1)
            throw new InvalidOperationException($"{Layout.Name}: output {Layout.Outputs[0].ShapeText} gives one class per row; use Predict(input, classes).");
        Span<int> one = stackalloc int[1];
        Predict(sample, one);
        return one[0];
    }

    // ---- checkpoints ----------------------------------------------------------------------------

    /// <summary>
    /// Writes every parameter and every state tensor (BatchNorm running statistics) to a safetensors
    /// file, named as the nodes ("C1.weight", "Stem.1.running_mean"), so PyTorch can read it. The
    /// write is atomic: a crash leaves either the old file or the new one, never half of one.
    /// </summary>
    public void Save(string path) => Checkpoint.Save(path, Parameters, State);

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/> (or by PyTorch with the same names). The whole
    /// file is validated first; a missing, extra or wrongly shaped tensor throws
    /// <see cref="CheckpointMismatchException"/> naming the tensor and both shapes, and changes nothing.
    /// </summary>
    public void Load(string path) => Checkpoint.Load(path, Parameters, State);

    // ---- argument checks (before any state changes) ------------------------------------------

    private (int Batch, int Rows, int Classes, Loss Kind) CheckLabels(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, Loss loss)
    {
        RequireSingle(Layout.Inputs, "input", null);
        RequireSingle(Layout.Outputs, "output", null);
        var kind = ResolveLoss(loss);
        if (kind is not (Loss.SoftmaxCrossEntropy or Loss.NllLoss))
            throw new ArgumentException($"{Layout.Name}: the {kind} loss takes float targets, not integer labels.", nameof(labels));
        int batch = BatchOf(Layout.Inputs[0], input.Length);
        var output = Layout.Outputs[0];
        int classes = output.Shape[^1];
        int rows = batch * (output.Slot.Size / classes);
        if (labels.Length != rows)
            throw new ArgumentException($"{Layout.Name}: {labels.Length} labels for {rows} predictions ({batch} samples of output {output.ShapeText}).", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i],
                    $"{Layout.Name}: label {labels[i]} of sample {i} is outside the {classes} classes [0, {classes - 1}] of output {output.Name}.");
        return (batch, rows, classes, kind);
    }

    private (int Batch, int Rows, int Features, Loss Kind) CheckTargets(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, Loss loss)
    {
        RequireSingle(Layout.Inputs, "input", null);
        RequireSingle(Layout.Outputs, "output", null);
        var kind = ResolveLoss(loss);
        if (kind is Loss.SoftmaxCrossEntropy or Loss.NllLoss)
            throw new ArgumentException($"{Layout.Name}: the {kind} loss takes integer class labels, not float targets.", nameof(targets));
        int batch = BatchOf(Layout.Inputs[0], input.Length);
        var output = Layout.Outputs[0];
        if (targets.Length != batch * output.Slot.Size)
            throw new ArgumentException(
                $"{Layout.Name}: {targets.Length} targets for {batch} samples of output {output.ShapeText} ({batch * output.Slot.Size} expected).", nameof(targets));
        return (batch, batch, output.Slot.Size, kind);
    }

    private Loss ResolveLoss(Loss loss)
    {
        var kind = loss != Loss.None ? loss : Layout.Loss;
        if (kind == Loss.None)
            throw new InvalidOperationException($"{Layout.Name} declares no loss: pass one to TrainStep/Evaluate or set [Network(Loss = ...)].");
        return kind;
    }

    private void RequireSingle<T>(T[] ports, string what, string? alternative)
    {
        if (ports.Length != 1)
            throw new InvalidOperationException(alternative is null
                ? $"{Layout.Name} has {ports.Length} {what}s; this method supports networks with exactly one {what} only."
                : $"{Layout.Name} has {ports.Length} {what}s; this method needs exactly one (use {alternative}).");
    }

    private void RequireForward()
    {
        if (Batch == 0) throw new InvalidOperationException($"{Layout.Name}: call Forward before Backward.");
    }
}
