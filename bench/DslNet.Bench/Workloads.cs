using System;
using System.Collections.Generic;
using DslNet.Backends;
using DslNet.Backends.Cpu;
using DslNet.Training;

namespace DslNet.Bench;

/// <summary>
/// One benchmark row: a name identical to torch_ref.py's (compare.py joins on it), the floating-point
/// work of one call, and a builder that makes the timed function on a given backend.
/// </summary>
internal sealed record Workload(string Group, string Name, double Flops, Func<Backend, Action> Build, bool IsGemm = false);

internal static class Workloads
{
    // Forward multiply-adds per sample, as torch_ref.py's FWD_MACS; a training step counts 3× forward.
    public const double MlpMacs = 784 * 512 + 512 * 256 + 256 * 10;
    public const double LeNetMacs = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10;
    public const double KerasCnnMacs = 28 * 28 * 32 * 9 + 28 * 28 * 64 * 32 * 9 + 12544 * 128 + 128 * 10;

    public static IReadOnlyList<Workload> All { get; } = new[]
    {
        Train("W1", "W1 MLP train step b128 (SGD-m)", MlpMacs, 128, 784, (b, be) => new W1Mlp(b, 0, be), Sgd),
        Infer("W1", "W1 MLP inference b1", MlpMacs, 1, 784, (b, be) => new W1Mlp(b, 0, be)),
        Infer("W1", "W1 MLP inference b128", MlpMacs, 128, 784, (b, be) => new W1Mlp(b, 0, be)),
        Train("W2", "W2 LeNet-5 train step b64 (SGD-m)", LeNetMacs, 64, 784, (b, be) => new W2LeNet5(b, 0, be), Sgd),
        Infer("W2", "W2 LeNet-5 inference b1", LeNetMacs, 1, 784, (b, be) => new W2LeNet5(b, 0, be)),
        Infer("W2", "W2 LeNet-5 inference b64", LeNetMacs, 64, 784, (b, be) => new W2LeNet5(b, 0, be)),
        Train("W3", "W3 Keras CNN train step b128 (Adam)", KerasCnnMacs, 128, 784, (b, be) => new W3KerasCnn(b, 0, be),
            () => new Adam(1e-3)),
        Sgemm(1024),
        Sgemm(2048),
    };

    private static Optimizer Sgd() => new Sgd(0.01, momentum: 0.9);

    private static Workload Train(string group, string name, double macs, int batch, int inputSize,
        Func<int, Backend, Network> create, Func<Optimizer> optimizer) =>
        new(group, name, 2 * macs * batch * 3, backend =>
        {
            var net = create(batch, backend);
            var opt = optimizer();
            var random = new Random(1234);
            float[] x = RandomUniform(random, batch * inputSize);
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) y[i] = random.Next(10);
            return () => net.TrainStep(x, y, opt);
        });

    private static Workload Infer(string group, string name, double macs, int batch, int inputSize,
        Func<int, Backend, Network> create) =>
        new(group, name, 2 * macs * batch, backend =>
        {
            var net = create(batch, backend);
            float[] x = RandomUniform(new Random(1234), batch * inputSize);
            return () => net.Forward(x);
        });

    /// <summary>W5: C = A·B, all n×n, A and B uniform in [−0.5, 0.5), as torch.mm(a, b, out=c).</summary>
    private static Workload Sgemm(int n) =>
        new("W5", $"W5 SGEMM torch.mm {n}x{n}x{n}", 2.0 * n * n * n, backend =>
        {
            var random = new Random(1234);
            float[] a = RandomUniform(random, n * n), b = RandomUniform(random, n * n);
            for (int i = 0; i < a.Length; i++) { a[i] -= 0.5f; b[i] -= 0.5f; }
            float[] c = new float[n * n];
            var pool = backend is CpuBackend cpu ? cpu.Pool : throw new ArgumentException("SGEMM runs on the CPU backend's own pool.", nameof(backend));
            return () => Gemm.Multiply(false, false, n, n, n, a, n, b, n, c, n, 0f, pool);
        }, IsGemm: true);

    private static float[] RandomUniform(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle();
        return values;
    }
}
