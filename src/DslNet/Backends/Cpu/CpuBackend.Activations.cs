using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

// Element-wise activations, softmax and log-softmax.
//
// Derivatives at kinks follow PyTorch, so gradients match it bit for bit in intent:
//   ReLU       f'(0) = 0          (threshold_backward: x <= 0 → 0)
//   LeakyReLU  f'(0) = slope      (leaky_relu_backward: x > 0 ? 1 : slope)
//   ELU        f'(0) = alpha      (elu_backward: x <= 0 → alpha·eˣ)
//   Softplus   linear above β·x > 20 (PyTorch's threshold), derivative 1 there.
//
// The backward kernels read x, except Sigmoid and Tanh, which read y (σ' = y(1 − y), tanh' = 1 − y²);
// the view a kind does not read may be empty.
//
// Kinds with a transcendental function whose float form loses accuracy (ELU's eˣ − 1 near 0, GELU's
// erf, Softplus' log(1 + eᶻ)) are computed per element in double; ReLU-family, Sigmoid, Tanh and SiLU
// go through TensorPrimitives' SIMD paths, in chunks through a small stack buffer where a temporary
// is needed (so that y may alias x).
public sealed partial class CpuBackend
{
    /// <summary>Elements processed per step by kernels that need a temporary (4 KiB of stack).</summary>
    private const int ChunkLength = 1024;

    /// <summary>PyTorch's Softplus threshold: above β·x = 20 the function is x to float precision.</summary>
    private const double SoftplusThreshold = 20.0;

    public override void ActivationForward(ActivationKind kind, float alpha, BufferView x, BufferView y)
    {
        RequireSameLength(x.Length, y.Length, nameof(y));
        var xs = Host(x);
        var ys = Host(y);
        switch (kind)
        {
            case ActivationKind.Identity:
                xs.CopyTo(ys);
                break;
            case ActivationKind.ReLU:
                // IEEE maximum: NaN stays NaN, as in PyTorch.
                ElementwiseJobs.ReluForward(Pool, xs, ys);
                break;
            case ActivationKind.LeakyReLU:
                for (int i = 0; i < xs.Length; i++) { float v = xs[i]; ys[i] = v > 0f ? v : alpha * v; }
                break;
            case ActivationKind.ELU:
                // Math.Exp(v) − 1 in double is accurate to float precision even for tiny |v| (an expm1).
                for (int i = 0; i < xs.Length; i++) { float v = xs[i]; ys[i] = v > 0f ? v : (float)(alpha * (Math.Exp(v) - 1.0)); }
                break;
            case ActivationKind.GELU:
                for (int i = 0; i < xs.Length; i++) { double v = xs[i]; ys[i] = (float)(v * NormalCdf(v)); }
                break;
            case ActivationKind.SiLU:
            {
                Span<float> s = stackalloc float[ChunkLength];
                for (int start = 0; start < xs.Length; start += ChunkLength)
                {
                    int n = Math.Min(ChunkLength, xs.Length - start);
                    var xc = xs.Slice(start, n);
                    var sc = s[..n];
                    TensorPrimitives.Sigmoid(xc, sc);
                    TensorPrimitives.Multiply(xc, sc, ys.Slice(start, n));
                }
                break;
            }
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(xs, ys);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(xs, ys);
                break;
            case ActivationKind.Softplus:
            {
                double beta = RequirePositiveBeta(alpha);
                for (int i = 0; i < xs.Length; i++)
                {
                    double v = xs[i], z = beta * v;
                    ys[i] = z > SoftplusThreshold ? (float)v : (float)(Log1P(Math.Exp(z)) / beta);
                }
                break;
            }
            default:
                throw new ArgumentException($"Unknown activation {kind}.", nameof(kind));
        }
    }

    public override void ActivationBackward(ActivationKind kind, float alpha, BufferView x, BufferView y, BufferView dy, BufferView dx)
    {
        if (dx.IsEmpty) return;
        RequireSameLength(dy.Length, dx.Length, nameof(dx));
        bool readsY = kind is ActivationKind.Sigmoid or ActivationKind.Tanh;
        if (readsY) RequireSameLength(dy.Length, y.Length, nameof(y));
        else RequireSameLength(dy.Length, x.Length, nameof(x));
        var xs = readsY ? default : Host(x);
        var ys = readsY ? Host(y) : default;
        var g = Host(dy);
        var d = Host(dx);
        switch (kind)
        {
            case ActivationKind.Identity:
                TensorPrimitives.Add(d, g, d);
                break;
            case ActivationKind.ReLU:
                ElementwiseJobs.ReluBackward(Pool, xs, g, d);
                break;
            case ActivationKind.LeakyReLU:
                for (int i = 0; i < d.Length; i++) d[i] += xs[i] > 0f ? g[i] : alpha * g[i];
                break;
            case ActivationKind.ELU:
                for (int i = 0; i < d.Length; i++) { float v = xs[i]; d[i] += v > 0f ? g[i] : (float)(g[i] * alpha * Math.Exp(v)); }
                break;
            case ActivationKind.GELU:
                // d/dx [x·Φ(x)] = Φ(x) + x·φ(x)
                for (int i = 0; i < d.Length; i++)
                {
                    double v = xs[i];
                    d[i] += (float)(g[i] * (NormalCdf(v) + v * Math.Exp(-0.5 * v * v) * InvSqrt2Pi));
                }
                break;
            case ActivationKind.SiLU:
            {
                // d/dx [x·σ(x)] = σ(x)·(1 + x·(1 − σ(x)))
                Span<float> s = stackalloc float[ChunkLength];
                for (int start = 0; start < d.Length; start += ChunkLength)
                {
                    int n = Math.Min(ChunkLength, d.Length - start);
                    var sc = s[..n];
                    TensorPrimitives.Sigmoid(xs.Slice(start, n), sc);
                    for (int i = 0; i < n; i++)
                    {
                        float si = sc[i];
                        d[start + i] += g[start + i] * si * (1f + xs[start + i] * (1f - si));
                    }
                }
                break;
            }
            case ActivationKind.Sigmoid:
                for (int i = 0; i < d.Length; i++) { float v = ys[i]; d[i] += g[i] * v * (1f - v); }
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < d.Length; i++) { float v = ys[i]; d[i] += g[i] * (1f - v * v); }
                break;
            case ActivationKind.Softplus:
            {
                // d/dx softplus = σ(β·x); exactly 1 in the linear region, as PyTorch.
                double beta = RequirePositiveBeta(alpha);
                for (int i = 0; i < d.Length; i++)
                {
                    double z = beta * xs[i];
                    d[i] += z > SoftplusThreshold ? g[i] : (float)(g[i] / (1.0 + Math.Exp(-z)));
                }
                break;
            }
            default:
                throw new ArgumentException($"Unknown activation {kind}.", nameof(kind));
        }
    }

    /// <summary>d += g where x &gt; 0 (a NaN x passes nothing, as PyTorch's threshold_backward).</summary>
    internal static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float dr = ref MemoryMarshal.GetReference(d);
            for (; i <= d.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512<float>.Zero);
                var sum = Vector512.LoadUnsafe(ref dr, (nuint)i) + (positive & Vector512.LoadUnsafe(ref gr, (nuint)i));
                sum.StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < d.Length; i++) if (x[i] > 0f) d[i] += g[i];
    }

    // ---- softmax and log-softmax (row-wise) ----------------------------------------------------

    public override void SoftmaxForward(int rows, int columns, BufferView x, BufferView y)
    {
        RequireRows(rows, columns, x, nameof(x));
        RequireRows(rows, columns, y, nameof(y));
        if (columns == 0) return; // an empty row has no max (TensorPrimitives.Max would throw)
        var xs = Host(x);
        var ys = Host(y);
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * columns, columns);
            var yr = ys.Slice(r * columns, columns);
            // e^(x − max) ≤ 1 cannot overflow, and the largest term is exactly 1 so the sum is ≥ 1.
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
        }
    }

    public override void SoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx)
    {
        if (dx.IsEmpty) return;
        RequireRows(rows, columns, y, nameof(y));
        RequireRows(rows, columns, dy, nameof(dy));
        RequireRows(rows, columns, dx, nameof(dx));
        if (columns == 0) return;
        var ys = Host(y);
        var gs = Host(dy);
        var ds = Host(dx);
        Span<float> t = stackalloc float[ChunkLength];
        for (int r = 0; r < rows; r++)
        {
            var yr = ys.Slice(r * columns, columns);
            var gr = gs.Slice(r * columns, columns);
            var dr = ds.Slice(r * columns, columns);
            // Jacobian y_i(δ_ij − y_j): dx_i += y_i · (dy_i − Σ_j dy_j·y_j)
            float dot = TensorPrimitives.Dot(gr, yr);
            for (int start = 0; start < columns; start += ChunkLength)
            {
                int n = Math.Min(ChunkLength, columns - start);
                var tc = t[..n];
                var dc = dr.Slice(start, n);
                TensorPrimitives.Subtract(gr.Slice(start, n), dot, tc);
                TensorPrimitives.FusedMultiplyAdd(yr.Slice(start, n), tc, dc, dc);
            }
        }
    }

    public override void LogSoftmaxForward(int rows, int columns, BufferView x, BufferView y)
    {
        RequireRows(rows, columns, x, nameof(x));
        RequireRows(rows, columns, y, nameof(y));
        if (columns == 0) return;
        var xs = Host(x);
        var ys = Host(y);
        Span<float> t = stackalloc float[ChunkLength];
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * columns, columns);
            var yr = ys.Slice(r * columns, columns);
            // y = (x − max) − log Σ e^(x − max); subtracting in this order keeps precision when max is large.
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            double sum = 0;
            for (int start = 0; start < columns; start += ChunkLength)
            {
                int n = Math.Min(ChunkLength, columns - start);
                var tc = t[..n];
                TensorPrimitives.Exp(yr.Slice(start, n), tc);
                sum += TensorPrimitives.Sum(tc);
            }
            TensorPrimitives.Subtract(yr, (float)Math.Log(sum), yr);
        }
    }

    public override void LogSoftmaxBackward(int rows, int columns, BufferView y, BufferView dy, BufferView dx)
    {
        if (dx.IsEmpty) return;
        RequireRows(rows, columns, y, nameof(y));
        RequireRows(rows, columns, dy, nameof(dy));
        RequireRows(rows, columns, dx, nameof(dx));
        if (columns == 0) return;
        var ys = Host(y);
        var gs = Host(dy);
        var ds = Host(dx);
        Span<float> t = stackalloc float[ChunkLength];
        for (int r = 0; r < rows; r++)
        {
            var yr = ys.Slice(r * columns, columns);
            var gr = gs.Slice(r * columns, columns);
            var dr = ds.Slice(r * columns, columns);
            // Jacobian δ_ij − softmax_j: dx_i += dy_i − e^(y_i) · Σ_j dy_j
            float total = TensorPrimitives.Sum(gr);
            for (int start = 0; start < columns; start += ChunkLength)
            {
                int n = Math.Min(ChunkLength, columns - start);
                var tc = t[..n];
                var dc = dr.Slice(start, n);
                TensorPrimitives.Exp(yr.Slice(start, n), tc);
                TensorPrimitives.FusedMultiplyAdd(tc, -total, gr.Slice(start, n), tc); // dy − e^y·Σdy
                TensorPrimitives.Add(dc, tc, dc);
            }
        }
    }

    private static void RequireRows(int rows, int columns, BufferView view, string name)
    {
        if (rows < 0 || columns < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Rows ({rows}) and columns ({columns}) cannot be negative.");
        RequireSameLength(rows * columns, view.Length, name);
    }

    private static double RequirePositiveBeta(float alpha)
    {
        if (!(alpha > 0f))
            throw new ArgumentException($"Softplus needs beta (alpha) > 0, got {alpha}.", nameof(alpha));
        return alpha;
    }

    // ---- scalar special functions (double) -----------------------------------------------------

    private const double InvSqrt2Pi = 0.398942280401432677939946059934; // 1/√(2π)
    private const double InvSqrt2 = 0.707106781186547524400844362105;   // 1/√2
    private const double InvSqrtPi = 0.564189583547756286948079451561;  // 1/√π

    /// <summary>Φ(x), the standard normal CDF, as ½·erfc(−x/√2) so that the left tail keeps its relative accuracy.</summary>
    internal static double NormalCdf(double x) => 0.5 * Erfc(-x * InvSqrt2);

    /// <summary>log(1 + z), accurate also when z is tiny (where 1 + z rounds to 1).</summary>
    internal static double Log1P(double z)
    {
        // Goldberg's trick: u − 1 is exact, and log(u)/(u − 1) is smooth, so the rounding of 1 + z cancels.
        double u = 1.0 + z;
        return u == 1.0 ? z : Math.Log(u) * z / (u - 1.0);
    }

    /// <summary>
    /// The error function, absolute error below 1e-13 (.NET has no Math.Erf). See <see cref="Erfc"/>
    /// for the method.
    /// </summary>
    internal static double Erf(double x)
    {
        double a = Math.Abs(x);
        if (a < 1.0) return x * ErfSmall(a * a);
        return Math.CopySign(1.0 - ErfcLarge(a), x);
    }

    /// <summary>
    /// The complementary error function 1 − erf(x), keeping relative accuracy in the right tail.
    /// Method: on |x| &lt; 1, erf(x) = x·P(x²), with P a degree-10 polynomial (a Chebyshev fit of
    /// erf(√t)/√t on t ∈ [0, 1], max error 4e-16); on 1 ≤ x &lt; 6, erfc(x) = e^(−x²)·Q(v) with Q a degree-16
    /// polynomial in v = 2.4/x − 1.4 ∈ [−1, 1] (a Chebyshev fit of erfc(x)·e^(x²), max error 3e-13); for
    /// x ≥ 6 (erfc &lt; 2.2e-17) the first four terms of the asymptotic series, relative error &lt; 5e-6.
    /// The coefficients were fitted for this project with mpmath.chebyfit at 40 digits.
    /// </summary>
    internal static double Erfc(double x)
    {
        double a = Math.Abs(x);
        if (a < 1.0) return 1.0 - x * ErfSmall(a * a);
        double tail = ErfcLarge(a);
        return x > 0 ? tail : 2.0 - tail;
    }

    /// <summary>erf(√t)/√t for t ∈ [0, 1].</summary>
    private static double ErfSmall(double t)
    {
        double p = 9.428596956834164e-09;
        p = p * t - 1.5188281247335167e-07;
        p = p * t + 1.631035651387174e-06;
        p = p * t - 1.4913300906316395e-05;
        p = p * t + 0.00012054681918310599;
        p = p * t - 0.0008548304871782741;
        p = p * t + 0.005223977154105304;
        p = p * t - 0.026866170586496874;
        p = p * t + 0.11283791670580423;
        p = p * t - 0.376126389031744;
        p = p * t + 1.1283791670955121; // 2/√π
        return p;
    }

    /// <summary>erfc(a) for a ≥ 1.</summary>
    private static double ErfcLarge(double a)
    {
        if (a >= 6.0)
        {
            // erfc(a) ≈ e^(−a²)/(a√π) · (1 − 1/(2a²) + 3/(4a⁴) − 15/(8a⁶))
            if (a > 27.0) return 0.0; // e^(−a²) underflows
            double s = 1.0 / (a * a);
            return Math.Exp(-a * a) * InvSqrtPi / a * (1.0 + s * (-0.5 + s * (0.75 - s * 1.875)));
        }
        double v = 2.4 / a - 1.4;
        double q = 3.969685813752195e-08;
        q = q * v - 1.3986819082756595e-07;
        q = q * v + 1.597309735685972e-07;
        q = q * v + 5.166646382094411e-08;
        q = q * v - 7.041651665471648e-07;
        q = q * v + 2.551755205595606e-06;
        q = q * v - 6.473415640432179e-06;
        q = q * v + 1.0894129610856752e-05;
        q = q * v - 4.054613844176731e-06;
        q = q * v - 5.5288944892650305e-05;
        q = q * v + 0.00026560679934140496;
        q = q * v - 0.0007383864551896911;
        q = q * v + 0.001034432128747417;
        q = q * v + 0.0028211318816003805;
        q = q * v - 0.03083105050637606;
        q = q * v + 0.1653626900129168;
        q = q * v + 0.28972211632346423;
        return Math.Exp(-a * a) * q;
    }
}
