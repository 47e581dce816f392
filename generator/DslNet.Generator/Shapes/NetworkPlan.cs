using DslNet.Generator.Common;
using DslNet.Generator.Model;

namespace DslNet.Generator.Shapes;

// The result of shape inference: every op with its resolved geometry, every activation slot and
// every tensor, ready to be written out. Like the model it is value-equal, so unchanged networks
// are not re-emitted.

/// <summary>A per-sample region of the activation buffer (offsets in elements per sample).</summary>
internal sealed record SlotPlan(string Name, int Offset, int Size);

/// <summary>
/// A tensor of the network: <paramref name="TensorName"/> is the checkpoint / state_dict key
/// ("C1.weight"), <paramref name="Constant"/> the C# name of its index ("C1_weight").
/// </summary>
internal sealed record TensorPlan(string TensorName, string Constant, EquatableArray<int> Shape, string Init, int FanIn, int FanOut, double Value)
{
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}

/// <summary>
/// One op, resolved. <paramref name="Key"/> names its slot and constants; <paramref name="Inputs"/>
/// are the slots it reads; <paramref name="Geometry"/> holds the integers of its runtime geometry
/// record in declaration order; <paramref name="Alpha"/>/<paramref name="Beta"/> its real hyper-parameters.
/// The init-only properties are set only by the emitter's fusion pass (Emit/Fusion.cs):
/// <see cref="Activation"/> is the activation op a Conv2D or Dense applies itself, writing that
/// activation's output slot; <see cref="FormsInputGradient"/> marks a MaxPool2D that writes its
/// input's gradient in full as the pre-activation gradient of the Conv2D or Dense before it, and
/// <see cref="GradientFormedByReader"/> marks that Conv2D or Dense; <see cref="OverwritesInputGradient"/>
/// marks a Conv2D or Dense whose backward writes its input's gradient in full, and
/// <see cref="OverwritesParameterGradients"/> a Dense whose backward writes its weight and bias gradients in full.
/// </summary>
internal sealed record OpPlan(
    OpKind Kind,
    int Node,
    int Index,
    string Key,
    string Output,
    EquatableArray<string> Inputs,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    EquatableArray<int> Geometry,
    double Alpha,
    double Beta,
    EquatableArray<string> Parameters,
    EquatableArray<string> State,
    int ScratchOffset,
    string Description)
{
    public OpPlan? Activation { get; init; }

    /// <summary>
    /// A MaxPool2D whose backward overwrites its input's gradient with dy routed to the window maxima
    /// ⊙ f'(x), f = <see cref="InputActivation"/> (Identity when null), the activation of the Conv2D or
    /// Dense that wrote x: the pool is that slot's only reader.
    /// </summary>
    public bool FormsInputGradient { get; init; }

    /// <summary>With <see cref="FormsInputGradient"/>: the activation fused into the layer before the pool.</summary>
    public OpPlan? InputActivation { get; init; }

    /// <summary>
    /// A Conv2D or Dense whose output gradient slot already holds its pre-activation gradient (formed by
    /// the max pool that reads it, see <see cref="FormsInputGradient"/>): its backward runs as Identity.
    /// </summary>
    public bool GradientFormedByReader { get; init; }

    /// <summary>
    /// A Conv2D or Dense that is the only reader of its input (an op's output, no network port): its
    /// backward writes the input's gradient instead of adding to it, so nothing needs to zero that gradient.
    /// </summary>
    public bool OverwritesInputGradient { get; init; }

    /// <summary>
    /// A Dense that is the only op using its parameters: its backward writes their gradients instead of
    /// adding to them, so a training step need not zero them.
    /// </summary>
    public bool OverwritesParameterGradients { get; init; }
}

/// <summary>A node as the generated class exposes it.</summary>
internal sealed record NodePlan(
    string Name,
    string Modifiers,
    string Slot,
    EquatableArray<int> Shape,
    string InputText,
    bool IsInput,
    bool IsOutput,
    string Description,
    long ParameterCount);

internal sealed record NetworkPlan(
    NetworkModel Model,
    EquatableArray<NodePlan> Nodes,
    EquatableArray<OpPlan> Ops,
    EquatableArray<SlotPlan> Slots,
    EquatableArray<TensorPlan> Parameters,
    EquatableArray<TensorPlan> State,
    int ActivationSize,
    int ScratchSize,
    long ParameterCount);
