using System.Collections.Generic;
using System.Text;

namespace AnalyzerBench;

/// <summary>
/// Writes a valid [Network] source with exactly the requested number of nodes, shaped like a real
/// image classifier: a stem, three stages (32×32, 16×16, 8×8) of ResNet basic blocks (Conv2D, BatchNorm,
/// ReLU, Add) alternating with Inception blocks (four branches, Concat), stride-2 transitions with a
/// 1×1 stride-2 shortcut, and a pooled dense head.
/// </summary>
internal sealed class NetworkSource
{
    private readonly List<string> _lines = new();
    private string _previous = "Image";
    private int _count;

    /// <summary>The node whose attribute argument the "edit" scenario changes, and the text before/after.</summary>
    public const string EditedNode = "Fc";
    public const string EditBefore = "[Dense(256), ReLU, Dropout(0.3)]";
    public const string EditAfter = "[Dense(192), ReLU, Dropout(0.3)]";

    public static string Build(int nodes)
    {
        var source = new NetworkSource();
        source.Node("[Input(3, 32, 32)]", "Image");
        source.Node("[Conv2D(32, Kernel = 3, Padding = 1), BatchNorm, ReLU]", "Stem");
        const int head = 3, transitions = 2 * 4;
        int budget = nodes - source._count - head - transitions;
        int[] channels = { 32, 64, 128 };
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0) source.Transition(stage, channels[stage]);
            int stageBudget = budget / (3 - stage);
            budget -= stageBudget;
            source.Stage(stage, channels[stage], stageBudget);
        }
        source.Node("[GlobalAvgPool2D]", "Pool");
        source.Node(EditBefore, EditedNode);
        source.Node("[Dense(10)]", "Logits");
        return source.Text();
    }

    private void Stage(int stage, int c, int budget)
    {
        int block = 0;
        while (budget >= 8) { Residual(stage, block++, c); Inception(stage, block++, c); budget -= 8; }
        while (budget >= 3) { Residual(stage, block++, c); budget -= 3; }
        while (budget-- > 0) Node($"[Conv2D({c}, Kernel = 3, Padding = 1), BatchNorm, ReLU]", $"S{stage}Extra{block++}");
    }

    private void Residual(int stage, int block, int c)
    {
        string input = _previous, name = $"S{stage}B{block}";
        Node($"[Conv2D({c}, Kernel = 3, Padding = 1), BatchNorm, ReLU]", name + "A");
        Node($"[Conv2D({c}, Kernel = 3, Padding = 1), BatchNorm]", name + "B");
        Node($"[Add(nameof({input}), nameof({name}B)), ReLU]", name + "Sum");
    }

    private void Inception(int stage, int block, int c)
    {
        string input = _previous, name = $"S{stage}I{block}";
        int q = c / 4;
        Node($"[From(nameof({input})), Conv2D({q}, Kernel = 1), ReLU]", name + "One");
        Node($"[From(nameof({input})), Conv2D({q}, Kernel = 3, Padding = 1), ReLU]", name + "Three");
        Node($"[From(nameof({input})), Conv2D({q}, Kernel = 5, Padding = 2), ReLU]", name + "Five");
        Node($"[From(nameof({input})), MaxPool2D(3, Stride = 1, Padding = 1), Conv2D({q}, Kernel = 1)]", name + "Pool");
        Node($"[Concat(nameof({name}One), nameof({name}Three), nameof({name}Five), nameof({name}Pool))]", name + "Mix");
    }

    private void Transition(int stage, int c)
    {
        string input = _previous, name = $"T{stage}";
        Node($"[Conv2D({c}, Kernel = 3, Stride = 2, Padding = 1), BatchNorm, ReLU]", name + "A");
        Node($"[Conv2D({c}, Kernel = 3, Padding = 1), BatchNorm]", name + "B");
        Node($"[From(nameof({input})), Conv2D({c}, Kernel = 1, Stride = 2), BatchNorm]", name + "Shortcut");
        Node($"[Add(nameof({name}B), nameof({name}Shortcut)), ReLU]", name + "Sum");
    }

    private void Node(string attributes, string name)
    {
        _lines.Add($"    {attributes,-100} partial Tensor {name} {{ get; }}");
        _previous = name;
        _count++;
    }

    private string Text()
    {
        var text = new StringBuilder();
        text.AppendLine("using DslNet;").AppendLine().AppendLine("namespace Bench;").AppendLine();
        text.AppendLine("[Network(Loss = Loss.SoftmaxCrossEntropy)]").AppendLine("public partial class Big").AppendLine("{");
        foreach (string line in _lines) text.AppendLine(line);
        text.AppendLine("}");
        return text.ToString();
    }

    public int Count => _count;
}
