using System;

namespace DslNet;

/// <summary>Fully connected layer: y = x·Wᵀ + b with W of shape [units, inFeatures] (PyTorch's Linear).
/// On a [T, F] sequence it applies to every time step.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    public DenseAttribute(int units) => Units = units;

    public int Units { get; }

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Optional assertion of the input feature count (as in a port of <c>nn.Linear(400, 120)</c>); 0 = not asserted.</summary>
    public int InFeatures { get; set; }

    public Init Init { get; set; }
}

/// <summary>2-D convolution (cross-correlation), weights [filters, inChannels, kernelH, kernelW].</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    public Conv2DAttribute(int filters) => Filters = filters;

    public Conv2DAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    public int Filters { get; }

    /// <summary>Square kernel size (default 3). <see cref="KernelHeight"/>/<see cref="KernelWidth"/> override it per axis.</summary>
    public int Kernel { get; set; } = 3;
    public int KernelHeight { get; set; }
    public int KernelWidth { get; set; }

    /// <summary>Stride on both axes (default 1); <see cref="StrideHeight"/>/<see cref="StrideWidth"/> override it per axis.</summary>
    public int Stride { get; set; } = 1;
    public int StrideHeight { get; set; }
    public int StrideWidth { get; set; }

    /// <summary>Zero padding on every side (default 0), or <see cref="DslNet.Padding.Same"/>.</summary>
    public int Padding { get; set; }
    /// <summary>Per-axis padding; -1 (default) means "as <see cref="Padding"/>".</summary>
    public int PaddingHeight { get; set; } = -1;
    public int PaddingWidth { get; set; } = -1;

    /// <summary>Dilation on both axes (default 1).</summary>
    public int Dilation { get; set; } = 1;
    public int DilationHeight { get; set; }
    public int DilationWidth { get; set; }

    public bool Bias { get; set; } = true;

    /// <summary>Optional assertion of the input channel count (as in <c>nn.Conv2d(3, 16, 3)</c>); 0 = not asserted.</summary>
    public int InChannels { get; set; }

    public Init Init { get; set; }
}

/// <summary>Shared options of the 2-D pooling layers.</summary>
public abstract class Pool2DAttribute : LayerAttribute
{
    protected Pool2DAttribute(int kernel) => Kernel = kernel;

    /// <summary>Square window size; <see cref="KernelHeight"/>/<see cref="KernelWidth"/> override it per axis.</summary>
    public int Kernel { get; }
    public int KernelHeight { get; set; }
    public int KernelWidth { get; set; }

    /// <summary>Stride; 0 (default) means "equal to the kernel", as in PyTorch and Keras.</summary>
    public int Stride { get; set; }
    public int StrideHeight { get; set; }
    public int StrideWidth { get; set; }

    /// <summary>Padding on every side (default 0), or <see cref="DslNet.Padding.Same"/>.</summary>
    public int Padding { get; set; }
}

/// <summary>Max pooling: the largest value of each window (padded positions never win).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Pool2DAttribute
{
    public MaxPool2DAttribute(int kernel) : base(kernel) { }
}

/// <summary>Average pooling: the mean of each window, padding counted as zeros (PyTorch's default).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Pool2DAttribute
{
    public AvgPool2DAttribute(int kernel) : base(kernel) { }
}

/// <summary>[C, H, W] → [C]: the mean of each channel.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2DAttribute : LayerAttribute
{
}

/// <summary>[C, H, W] → [C·H·W].</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>Reinterprets the per-sample shape; the element count must agree (checked at compile time).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class ReshapeAttribute : LayerAttribute
{
    public ReshapeAttribute(params int[] shape) => Shape = shape;

    public int[] Shape { get; }
}

/// <summary>Inverted dropout: in training zeroes each element with probability <c>rate</c> and
/// scales the others by 1/(1 − rate); identity at inference. <c>rate</c> is the DROP probability (Keras' meaning).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    public DropoutAttribute(double rate) => Rate = rate;

    public double Rate { get; }
}

/// <summary>Batch normalisation over the channel axis (features after Dense), with learnable scale and shift.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Weight of the new batch in the running statistics (PyTorch convention, default 0.1).</summary>
    public double Momentum { get; set; } = 0.1;

    public double Epsilon { get; set; } = 1e-5;
}
