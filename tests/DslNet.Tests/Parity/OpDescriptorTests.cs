using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace DslNet.Tests.Parity;

/// <summary>The generated <see cref="NetworkLayout.Ops"/> describe the network consistently.</summary>
public class OpDescriptorTests
{
    public static IEnumerable<object[]> Layouts => new Network[]
    {
        new PLeNet5(1), new PResNet(1), new PInception(1), new PEveryOp(1), new PMlp(1), new PConcat(1), new PReshape(1), new PDropout(1),
    }.Select(n => new object[] { n.Layout.Name, n.Layout });

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_op_reads_what_was_written_before_and_every_tensor_belongs_to_one_op(string name, NetworkLayout layout)
    {
        Assert.NotNull(layout.Ops);
        var written = new HashSet<ActivationSlot>(layout.Inputs.Select(p => p.Slot));
        foreach (var op in layout.Ops!)
        {
            // Dropout's mask is written by the op itself (its second input); every other input was produced earlier.
            var reads = op.Kind == OpKind.Dropout ? op.Inputs.Take(1) : op.Inputs;
            Assert.All(reads, slot => Assert.True(written.Contains(slot), $"{name}: {op.Node}.{op.Index} ({op.Kind}) reads slot {slot} before it is written."));
            Assert.True(written.Add(op.Output), $"{name}: {op.Node}.{op.Index} writes slot {op.Output} a second time.");
            Assert.Equal(op.OutputShape.Aggregate(1, (a, d) => a * d), op.Output.Size);
            for (int i = 0; i < op.Inputs.Length && !(op.Kind == OpKind.Dropout && i == 1); i++)
                Assert.Equal(op.InputShapeOf(i).Aggregate(1, (a, d) => a * d), op.Inputs[i].Size);
        }
        Assert.All(layout.Outputs, port => Assert.Contains(port.Slot, written));

        var parameters = layout.Ops!.SelectMany(o => o.Parameters).ToList();
        var state = layout.Ops!.SelectMany(o => o.State).ToList();
        Assert.Equal(layout.Parameters.Select(p => p.Name).OrderBy(n => n), parameters.OrderBy(n => n));
        Assert.Equal(layout.State.Select(p => p.Name).OrderBy(n => n), state.OrderBy(n => n));
    }

    [Fact]
    public void Descriptors_carry_the_geometry_and_hyper_parameters_the_kernels_use()
    {
        var ops = new PEveryOp(1).Layout.Ops!;
        var stem = ops.First(o => o.Kind == OpKind.Conv2D);
        var g = Assert.IsType<Backends.Conv2DGeometry>(stem.Geometry);
        Assert.Equal((3, 2, 2, 2, 0, 0, 4, 4), (g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.OutHeight, g.OutWidth));
        Assert.Equal(new[] { "Stem.0.weight", "Stem.0.bias" }, stem.Parameters);
        var bn = ops.First(o => o.Kind == OpKind.BatchNorm);
        Assert.Equal((0.1f, 1e-5f), (bn.Alpha, bn.Beta));
        Assert.Equal(new[] { "Stem.1.running_mean", "Stem.1.running_var" }, bn.State);
        Assert.Equal(0.3f, ops.Single(o => o.Kind == OpKind.Dropout).Alpha);
        Assert.Equal(2f, ops.First(o => o.Kind == OpKind.Softplus).Alpha);
        Assert.Equal(new[] { 2, 4 }, ops.First(o => o.Node == "Steps" && o.Kind == OpKind.Dense).InputShape);
    }
}
