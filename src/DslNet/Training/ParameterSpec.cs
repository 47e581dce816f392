using System;

namespace DslNet.Training;

/// <summary>How one tensor of a <see cref="ParameterSet"/> starts.</summary>
public enum ParameterInit
{
    /// <summary>Every element = <see cref="ParameterSpec.Value"/> (0 for biases, 1 for a BatchNorm scale or running variance).</summary>
    Constant,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LeCunUniform,
    LeCunNormal,
}

/// <summary>
/// One named tensor of a network: its name (the safetensors / state_dict key, e.g. "C1.weight"),
/// its shape, and how it is initialised. Fan-in and fan-out feed the Glorot/He/LeCun scales.
/// </summary>
public sealed record ParameterSpec(string Name, int[] Shape, ParameterInit Init, int FanIn = 0, int FanOut = 0, float Value = 0f)
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

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
