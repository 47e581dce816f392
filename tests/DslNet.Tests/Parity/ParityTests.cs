using System;
using System.Collections.Generic;
using System.Linq;
using DslNet.Training;
using Xunit;

namespace DslNet.Tests.Parity;

/// <summary>
/// DslNet against PyTorch on the committed fixtures (see <see cref="Fixture"/>): forward to 1e-5
/// relative, gradients, losses after a step and updated parameters to 1e-4. PyTorch is not needed to
/// run these; <see cref="FixtureRegenerationTests"/> checks the files are what the script writes.
/// </summary>
public class ParityTests
{
    private const double Forward = 1e-5;
    private const double Gradient = 1e-4;

    private static readonly Dictionary<string, Func<int, Network>> Layers = new()
    {
        ["dense"] = b => new PDense(b),
        ["conv"] = b => new PConv(b),
        ["maxpool"] = b => new PMaxPool(b),
        ["avgpool"] = b => new PAvgPool(b),
        ["global_avgpool"] = b => new PGlobalAvgPool(b),
        ["flatten"] = b => new PFlatten(b),
        ["reshape"] = b => new PReshape(b),
        ["batchnorm2d_train"] = b => new PBatchNorm2D(b),
        ["batchnorm2d_eval"] = b => new PBatchNorm2D(b),
        ["batchnorm1d_train"] = b => new PBatchNorm1D(b),
        ["dropout_eval"] = b => new PDropout(b),
        ["relu"] = b => new PReLUNet(b),
        ["leaky_relu"] = b => new PLeakyReLU(b),
        ["prelu"] = b => new PPReLU(b),
        ["prelu_channel"] = b => new PPReLUChannel(b),
        ["elu"] = b => new PELU(b),
        ["gelu"] = b => new PGELU(b),
        ["silu"] = b => new PSiLU(b),
        ["sigmoid"] = b => new PSigmoid(b),
        ["tanh"] = b => new PTanh(b),
        ["softplus"] = b => new PSoftplus(b),
        ["softplus_beta2"] = b => new PSoftplusBeta2(b),
        ["softmax"] = b => new PSoftmax(b),
        ["log_softmax"] = b => new PLogSoftmax(b),
        ["add"] = b => new PAdd(b),
        ["multiply"] = b => new PMultiply(b),
        ["concat"] = b => new PConcat(b),
    };

    private static readonly Dictionary<string, (Func<int, Network> Make, Loss Loss)> Losses = new()
    {
        ["loss_mse"] = (b => new PLossDense(b), Loss.MeanSquaredError),
        ["loss_mae"] = (b => new PLossDense(b), Loss.MeanAbsoluteError),
        ["loss_bce"] = (b => new PLossSigmoid(b), Loss.BinaryCrossEntropy),
        ["loss_bce_logits"] = (b => new PLossDense(b), Loss.BinaryCrossEntropyWithLogits),
        ["loss_softmax_ce"] = (b => new PLossDense(b), Loss.SoftmaxCrossEntropy),
        ["loss_nll"] = (b => new PLossLogSoftmax(b), Loss.NllLoss),
    };

    private static readonly Dictionary<string, Func<int, Network>> Networks = new()
    {
        ["mlp"] = b => new PMlp(b),
        ["lenet5"] = b => new PLeNet5(b),
        ["resnet"] = b => new PResNet(b),
    };

    public static IEnumerable<object[]> LayerCases => Layers.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> LossCases => Losses.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> NetworkCases => Networks.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_fixture_file_has_a_test_case()
    {
        var files = System.IO.Directory.GetFiles(Fixture.Folder, "*.safetensors").Select(System.IO.Path.GetFileNameWithoutExtension).ToHashSet();
        var cases = Layers.Keys.Concat(Losses.Keys).Concat(Networks.Keys).ToHashSet();
        Assert.Equal(cases.OrderBy(c => c), files.OrderBy(f => f)!);
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_forward_and_gradients_match_PyTorch(string name)
    {
        var fixture = Fixture.Load(name);
        var x = fixture.Full("x");
        var net = Layers[name](x.Length / Layers[name](1).Layout.Inputs[0].Slot.Size);
        fixture.LoadInitial(net);
        net.Training = fixture.Metadata["training"] == "1";

        fixture.AssertClose("y", net.Forward(x).ToArray(), Forward);
        fixture.AssertClose("dx", net.Backward(fixture.Full("dy")).ToArray(), Gradient);
        AssertGradients(fixture, "grad/", net);
        AssertValues(fixture, "state_after/", net.State, Gradient);
    }

    [Theory]
    [MemberData(nameof(LossCases))]
    public void Loss_gradients_and_one_SGD_step_match_PyTorch(string name)
    {
        var fixture = Fixture.Load(name);
        var (make, loss) = Losses[name];
        Assert.Equal(loss.ToString(), fixture.Metadata["loss"]);
        var x = fixture.Full("x");
        var net = make(x.Length / 6);
        fixture.LoadInitial(net);
        var sgd = new Sgd(learningRate: double.Parse(fixture.Metadata["sgd_lr"], System.Globalization.CultureInfo.InvariantCulture));

        float value = fixture.Has("labels")
            ? net.TrainStep(x, fixture.Labels("labels"), sgd, loss)
            : net.TrainStep(x, fixture.Full("targets"), sgd, loss);

        fixture.AssertClose("y", net.Output().ToArray(), Forward);
        fixture.AssertClose("loss", new[] { value }, Forward);
        AssertGradients(fixture, "grad/", net);
        AssertValues(fixture, "param_after/", net.Parameters, Gradient);
    }

    [Theory]
    [MemberData(nameof(NetworkCases))]
    public void Network_inference_forward_and_input_gradients_match_PyTorch(string name)
    {
        var fixture = Fixture.Load(name);
        var x = fixture.Full("x");
        var net = Networks[name](fixture.Labels("labels").Length);
        fixture.LoadInitial(net);

        fixture.AssertClose("y", net.Forward(x).ToArray(), Forward);
        fixture.AssertClose("dx", net.Backward(fixture.Full("dy")).ToArray(), Gradient);
        AssertGradients(fixture, "grad/", net);
    }

    [Theory]
    [InlineData("mlp", "sgd")]
    [InlineData("mlp", "adam")]
    [InlineData("lenet5", "sgd")]
    [InlineData("lenet5", "adam")]
    [InlineData("resnet", "sgd")]
    [InlineData("resnet", "adam")]
    public void Two_training_steps_match_PyTorch(string name, string optimizerName)
    {
        var fixture = Fixture.Load(name);
        // The script's settings, restated: a change on one side fails here rather than as numbers.
        Assert.Equal("lr=0.1 momentum=0.9", fixture.Metadata["sgd"]);
        Assert.Equal("lr=0.01", fixture.Metadata["adam"]);
        Optimizer optimizer = optimizerName == "sgd" ? new Sgd(learningRate: 0.1, momentum: 0.9) : new Adam(learningRate: 0.01);
        var x = fixture.Full("x");
        var labels = fixture.Labels("labels");
        var net = Networks[name](labels.Length);
        fixture.LoadInitial(net);
        string prefix = optimizerName + "/";

        float loss1 = net.TrainStep(x, labels, optimizer);
        fixture.AssertClose(prefix + "loss1", new[] { loss1 }, Forward);
        AssertGradients(fixture, prefix + "grad1/", net);
        float loss2 = net.TrainStep(x, labels, optimizer);
        fixture.AssertClose(prefix + "loss2", new[] { loss2 }, Gradient);
        AssertValues(fixture, prefix + "param2/", net.Parameters, Gradient);
        AssertValues(fixture, prefix + "state2/", net.State, Gradient);
    }

    private static void AssertGradients(Fixture fixture, string prefix, Network net)
    {
        var set = net.Parameters;
        for (int i = 0; i < set.Specs.Count; i++)
            fixture.AssertClose(prefix + set.Specs[i].Name, Host(set, set.Gradient(i)), Gradient);
    }

    private static void AssertValues(Fixture fixture, string prefix, ParameterSet set, double rtol)
    {
        for (int i = 0; i < set.Specs.Count; i++)
            fixture.AssertClose(prefix + set.Specs[i].Name, Host(set, set.Value(i)), rtol);
    }

    private static float[] Host(ParameterSet set, Backends.BufferView view)
    {
        var values = new float[view.Length];
        set.Backend.CopyToHost(view, values);
        return values;
    }
}
