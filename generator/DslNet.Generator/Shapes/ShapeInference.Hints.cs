using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslNet.Generator.Common;
using DslNet.Generator.Model;

namespace DslNet.Generator.Shapes;

// Hints for the code fixes: machine-readable values attached to a finding just reported, so that a
// fix writes exactly what the engine computed (keys in FixHints). They never change what is reported.
internal sealed partial class ShapeInference
{
    /// <summary>Attaches <c>key=value</c> to the finding reported last.</summary>
    private void Hint(string key, object value)
    {
        var last = _diagnostics[_diagnostics.Count - 1];
        string text = key + "=" + System.Convert.ToString(value, CultureInfo.InvariantCulture);
        _diagnostics[_diagnostics.Count - 1] = last with { Hints = last.Hints.Concat(new[] { text }).ToEquatableArray() };
    }

    /// <summary>Sets where the fix of the finding reported last edits.</summary>
    private void HintFixTarget(DiagnosticTarget target) =>
        _diagnostics[_diagnostics.Count - 1] = _diagnostics[_diagnostics.Count - 1] with { FixTarget = target };

    /// <summary>For a merge of two images of different sizes: the keep-size hint on the smaller one's path (see below).</summary>
    private void HintKeepSize(string first, int[] firstShape, string other, int[] otherShape, bool channelsMustMatch)
    {
        if (firstShape.Length != 3 || otherShape.Length != 3) return;
        bool otherIsSmaller = otherShape[1] <= firstShape[1] && otherShape[2] <= firstShape[2];
        bool firstIsSmaller = firstShape[1] <= otherShape[1] && firstShape[2] <= otherShape[2];
        if (otherIsSmaller && !firstIsSmaller) HintKeepSize(other, firstShape, channelsMustMatch);
        else if (firstIsSmaller && !otherIsSmaller) HintKeepSize(first, otherShape, channelsMustMatch);
    }

    /// <summary>
    /// For a merge whose input <paramref name="nodeName"/> lost the spatial size of <paramref name="reference"/>:
    /// when exactly one window layer on that input's path changed the size, with stride 1 and an odd
    /// extent (so Padding.Same is symmetric and keeps the size exactly), hint "Padding=Same" on it.
    /// Two or more layers that change the size, or anything else on the way, leave the choice to the user.
    /// </summary>
    private void HintKeepSize(string nodeName, int[] reference, bool channelsMustMatch)
    {
        if (reference.Length != 3 || !_nodeIndex.TryGetValue(nodeName, out int node) || _nodeOutputs[node] is not { } output) return;
        var shape = output.Shape;
        if (shape.Length != 3 || (channelsMustMatch && shape[0] != reference[0])) return;

        OpPlan? culprit = null;
        var current = shape;
        for (int at = node, steps = 0; at >= 0 && steps <= _model.Nodes.Count; steps++)
        {
            // The node's ops, last first; each must produce exactly the tensor the next one read (no view in between).
            foreach (var op in _ops.Where(o => o.Node == at).Reverse())
            {
                if (!op.OutputShape.SequenceEqual(current) || op.InputShape.Count != 3) return;
                current = op.InputShape.ToArray();
                if (op.InputShape[1] == op.OutputShape[1] && op.InputShape[2] == op.OutputShape[2]) continue;
                if (culprit is not null) return; // a second layer changes the size: which to pad is a choice
                culprit = op;
            }
            if (culprit is not null && current[1] == reference[1] && current[2] == reference[2]) break;
            if (culprit is not null || _model.Nodes[at].IsInput) return;
            at = SourceNode(at);
            if (at < 0 || _nodeOutputs[at] is not { } source || !source.Shape.SequenceEqual(current)) return;
        }
        if (culprit is null || !(current[1] == reference[1] && current[2] == reference[2]) || !KeepsSizeWithSame(culprit)) return;

        HintFixTarget(DiagnosticTarget.OfOp(culprit.Node, culprit.Index));
        Hint(FixHints.Padding, "Same");
        Hint(FixHints.Size, $"{reference[1]}×{reference[2]}");
    }

    /// <summary>The node a node reads when it reads exactly one: From's node, or the previous node; -1 for a merge.</summary>
    private int SourceNode(int node)
    {
        var ops = _model.Nodes[node].Ops;
        if (ops.Count > 0 && ops[0].Kind == OpKind.From)
            return _nodeIndex.TryGetValue(ops[0].Find("node")?.Text ?? "", out int named) ? named : -1;
        if (ops.Count > 0 && ReadsNamedNodes(ops[0])) return -1;
        return node - 1;
    }

    /// <summary>A stride-1 window with odd extents, whose padding one Padding argument sets: Same keeps its size, symmetrically.</summary>
    private bool KeepsSizeWithSame(OpPlan op)
    {
        var written = _model.Nodes[op.Node].Ops[op.Index];
        if (written.Has("PaddingHeight") || written.Has("PaddingWidth")) return false;
        var g = op.Geometry;
        switch (op.Kind)
        {
            case OpKind.Conv2D: // C, H, W, filters, kH, kW, sH, sW, padH, padW, dH, dW, outH, outW
                return g[6] == 1 && g[7] == 1 && (g[10] * (g[4] - 1) + 1) % 2 == 1 && (g[11] * (g[5] - 1) + 1) % 2 == 1;
            case OpKind.MaxPool2D:
            case OpKind.AvgPool2D: // C, H, W, kH, kW, sH, sW, padH, padW, outH, outW
                return g[5] == 1 && g[6] == 1 && g[3] % 2 == 1 && g[4] % 2 == 1;
            default:
                return false;
        }
    }

    /// <summary>
    /// For an asymmetric Padding.Same (DSL0018): the explicit padding, the same on both sides, that gives
    /// the same output size and reads every input row — e.g. 1 for a 3×3 stride-2 window on 28 (14 either
    /// way). Only for a square window whose one Padding argument sets both axes; none when no such padding exists.
    /// </summary>
    private void HintSymmetricPadding(WindowAxis a, int outSize, long total, bool pooling, Lines lines)
    {
        if (lines != Lines.Both || a.PaddingArg != "Padding") return;
        long p = (total + 1) / 2, span = a.N + 2 * p - a.Extent;
        bool sameSize = span >= 0 && span / a.S + 1 == outSize;
        bool readsAll = span % a.S <= p;
        bool seesInput = pooling ? 2 * p <= a.K : p < a.Extent;
        if (!(sameSize && readsAll && seesInput)) return;
        Hint(FixHints.Padding, p);
        Hint(FixHints.Size, $"{outSize}×{outSize}");
    }

    /// <summary>
    /// On a non-square window whose one Stride argument sets both axes, a DSL0006 stride hint must tile
    /// both axes, or the fix would only move the diagnostic to the other axis (5×5 stride 3 padding 1 on
    /// 29×30: stride 5 tiles the 29 rows but not the 30 columns). Applied to the findings reported since
    /// <paramref name="from"/>; a hint left with no stride is dropped.
    /// </summary>
    private void KeepStridesThatTileBothAxes(int from, WindowAxis h, WindowAxis w)
    {
        if (h.StrideArg != w.StrideArg) return;
        static bool Tiles(WindowAxis a, int s) => a.N + 2L * a.P >= a.Extent && (a.N + 2L * a.P - a.Extent) % s <= a.P;
        string prefix = FixHints.Strides + "=";
        for (int i = from; i < _diagnostics.Count; i++)
        {
            var finding = _diagnostics[i];
            if (finding.Id != DiagnosticCatalog.StrideDropsInput) continue;
            var hints = finding.Hints.Select(hint =>
            {
                if (!hint.StartsWith(prefix, System.StringComparison.Ordinal)) return hint;
                var kept = hint.Substring(prefix.Length).Split(',').Where(t => int.TryParse(t, out int s) && s > 0 && Tiles(h, s) && Tiles(w, s));
                return kept.Any() ? prefix + string.Join(",", kept) : null;
            }).Where(hint => hint is not null).Select(hint => hint!);
            _diagnostics[i] = finding with { Hints = hints.ToEquatableArray() };
        }
    }
}
