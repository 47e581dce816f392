using System;

namespace DslNet.Training;

/// <summary>The weight initialisers (Glorot/Xavier, He/Kaiming, LeCun; uniform and normal).</summary>
public static class Initializers
{
    public static void Fill(ParameterSpec spec, Span<float> values, Random random)
    {
        switch (spec.Init)
        {
            case ParameterInit.Constant: values.Fill(spec.Value); break;
            case ParameterInit.GlorotUniform: Uniform(values, Math.Sqrt(6.0 / (spec.FanIn + spec.FanOut)), random); break;
            case ParameterInit.GlorotNormal: Normal(values, Math.Sqrt(2.0 / (spec.FanIn + spec.FanOut)), random); break;
            case ParameterInit.HeUniform: Uniform(values, Math.Sqrt(6.0 / spec.FanIn), random); break;
            case ParameterInit.HeNormal: Normal(values, Math.Sqrt(2.0 / spec.FanIn), random); break;
            case ParameterInit.LeCunUniform: Uniform(values, Math.Sqrt(1.0 / spec.FanIn), random); break;
            case ParameterInit.LeCunNormal: Normal(values, Math.Sqrt(1.0 / spec.FanIn), random); break;
            default: throw new ArgumentOutOfRangeException(nameof(spec), spec.Init, $"Unknown initialiser for '{spec.Name}'.");
        }
    }

    /// <summary>U(−limit, limit).</summary>
    public static void Uniform(Span<float> values, double limit, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }

    /// <summary>N(0, std²) by the Box–Muller transform.</summary>
    public static void Normal(Span<float> values, double std, Random random)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(); // (0, 1]: log stays finite
            double u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)) * std;
            values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length) values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
    }
}
