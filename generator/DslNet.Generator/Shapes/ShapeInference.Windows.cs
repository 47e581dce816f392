using System;
using System.Collections.Generic;
using System.Linq;

namespace DslNet.Generator.Shapes;

// The sliding-window rules of Conv2D and pooling, both axes at once so that a square case gives one
// message ("kernel 5×5 … the 14×14 input") and a non-square one says which axis is wrong.
internal sealed partial class ShapeInference
{
    /// <summary>One axis of a window as written: input size, kernel, stride, dilation, padding, and the arguments that set them.</summary>
    private readonly record struct WindowAxis(int N, int K, int S, int D, int P, string KernelArg, string StrideArg, string PaddingArg)
    {
        public long Extent => (long)D * (K - 1) + 1;
    }

    /// <summary>The padding before and the output size of each axis, or null when a rule is broken (reported).</summary>
    private ((int Before, int Out) Rows, (int Before, int Out) Cols)? Windows(int node, int op, string label, bool pooling, WindowAxis h, WindowAxis w)
    {
        bool square = h.N == w.N && h.K == w.K && h.S == w.S && h.D == w.D && h.P == w.P;
        var text = new WindowWords(h, w, pooling);
        int before = _diagnostics.Count;
        var rows = Window(node, op, label, pooling, h, text, square ? Lines.Both : Lines.Rows);
        if (square) return rows is { } both ? (both, both) : null;
        var cols = Window(node, op, label, pooling, w, text, Lines.Columns);
        KeepStridesThatTileBothAxes(before, h, w);
        return rows is { } r && cols is { } c ? (r, c) : null;
    }

    private enum Lines { Rows, Columns, Both }

    /// <summary>How a message names the window: "kernel 5×5" (or "window" for pooling), "stride 3", "the 14×14 input".</summary>
    private readonly struct WindowWords
    {
        public WindowWords(WindowAxis h, WindowAxis w, bool pooling)
        {
            Kernel = (pooling ? "window " : "kernel ") + Pair(h.K, w.K)
                + (h.D == 1 && w.D == 1 ? "" : $" dilated by {Pair(h.D, w.D)} (extent {Pair(h.Extent, w.Extent)})");
            Stride = "stride " + (h.S == w.S ? h.S.ToString(System.Globalization.CultureInfo.InvariantCulture) : Pair(h.S, w.S));
            Input = Pair(h.N, w.N);
        }

        public string Kernel { get; }
        public string Stride { get; }
        public string Input { get; }

        private static string Pair(long a, long b) => $"{a}×{b}";
    }

    private static string AxisSuffix(Lines lines) => lines switch { Lines.Rows => " along its height", Lines.Columns => " along its width", _ => "" };

    /// <summary>"the last 2 rows and columns are" / "the last row is".</summary>
    private static string LastLines(long count, Lines lines)
    {
        string unit = lines switch { Lines.Rows => "row", Lines.Columns => "column", _ => "row" };
        string both = lines == Lines.Both ? (count == 1 ? " and column" : " and columns") : "";
        return count == 1 ? $"the last {unit}{both} {(lines == Lines.Both ? "are" : "is")}" : $"the last {count} {unit}s{both} are";
    }

    /// <summary>"(14 + 2·1 − 5) / 3 + 1 = 4.67": the course formula with the numbers of this axis.</summary>
    private static string Formula(WindowAxis a) =>
        $"({a.N}{(a.P > 0 ? $" + 2·{a.P}" : "")} − {a.Extent}) / {a.S} + 1 = {Number(Math.Round(((double)a.N + 2.0 * a.P - a.Extent) / a.S + 1, 2))}";

    /// <summary>
    /// One axis: o = ⌊(n + 2p − e)/s⌋ + 1 with e = d(k − 1) + 1 the window extent, and every rule of the
    /// course material about it: no negative padding, no window larger than the padded input, no window
    /// made only of padding, and no stride that leaves real input unread — the remainder r = (n + 2p − e) mod s
    /// is an error when r &gt; p (real rows after the last window) and s ≤ e (a larger stride skips input by design).
    /// </summary>
    private (int Before, int Out)? Window(int node, int op, string label, bool pooling, WindowAxis a, WindowWords words, Lines lines)
    {
        long extent = a.Extent;
        string axis = AxisSuffix(lines);
        if (a.P == Padding.Same)
        {
            int outSize = (a.N + a.S - 1) / a.S;
            long total = Math.Max((long)(outSize - 1) * a.S + extent - a.N, 0);
            int before = (int)(total / 2);
            if (total % 2 == 1)
            {
                string unit = lines switch { Lines.Rows => "row", Lines.Columns => "column", _ => "row and column" };
                if (total > 1) unit = unit.Replace("row", "rows").Replace("column", "columns");
                Report(DiagnosticCatalog.AsymmetricSame, DiagnosticTarget.OfOp(node, op, a.PaddingArg), label,
                    $"Padding.Same with {words.Kernel} and {words.Stride} on the {words.Input} input{axis} needs {total} {unit} of padding: "
                    + $"{before} before and {total - before} after, so the output is shifted by half a pixel — for symmetric padding use an odd {(pooling ? "window" : "kernel")} with stride 1, or an explicit Padding");
                HintSymmetricPadding(a, outSize, total, pooling, lines);
            }
            return (before, outSize);
        }
        if (a.P < 0)
        {
            Report(DiagnosticCatalog.NegativePadding, DiagnosticTarget.OfOp(node, op, a.PaddingArg), label, a.P);
            return null;
        }
        long padded = (long)a.N + 2L * a.P;
        if (extent > padded)
        {
            long largest = (padded - 1) / a.D + 1;
            Report(DiagnosticCatalog.WindowLargerThanInput, DiagnosticTarget.OfOp(node, op, a.KernelArg), label,
                $"{words.Kernel} is larger than the {words.Input} input{(a.P > 0 ? $" padded by {a.P}" : "")}{axis}: {Formula(a)}, so the output would be empty — use a {(pooling ? "window" : "kernel")} of at most {largest}");
            return null;
        }
        long allowedPadding = pooling ? a.K / 2 : extent - 1;
        if (a.P > allowedPadding)
        {
            Report(DiagnosticCatalog.PaddingOnlyWindow, DiagnosticTarget.OfOp(node, op, a.PaddingArg), label,
                (pooling ? $"padding {a.P} is more than half the {words.Kernel}{axis}" : $"padding {a.P} is not smaller than the {words.Kernel}{axis}")
                + $", so border windows would see only padding — use padding {allowedPadding} or less");
            return null;
        }
        long span = padded - extent;
        long remainder = span % a.S;
        if (remainder > a.P && a.S <= extent)
        {
            var (strides, padding) = TilingChoices(a, allowedPadding);
            Report(DiagnosticCatalog.StrideDropsInput, DiagnosticTarget.OfOp(node, op, a.StrideArg), label,
                $"{words.Kernel} with {words.Stride} does not tile the {words.Input} input{axis}: {Formula(a)}, so {LastLines(remainder - a.P, lines)} never read"
                + SuggestionText(strides, padding));
            // For the code fix: the strides closest to the written one first; a padding only where one argument pads both axes.
            if (strides.Count > 0) Hint(FixHints.Strides, string.Join(",", strides.OrderBy(c => Math.Abs(c - a.S)).ThenBy(c => c)));
            // (Only for a square window: on a non-square one the same Padding would change the other axis too.)
            if (padding is not null && a.PaddingArg == "Padding" && lines == Lines.Both) Hint(FixHints.TilingPadding, padding.Value);
            return null;
        }
        return (a.P, (int)(span / a.S) + 1);
    }

    /// <summary>Strides up to the extent that tile with this padding (at most 3), and the smallest padding that tiles with this stride.</summary>
    private static (List<int> Strides, int? Padding) TilingChoices(WindowAxis a, long allowedPadding)
    {
        long extent = a.Extent;
        var strides = new List<int>();
        for (int candidate = 1; candidate <= extent && strides.Count < 3; candidate++)
            if (candidate != a.S && (a.N + 2L * a.P - extent) % candidate <= a.P) strides.Add(candidate);
        int? padding = null;
        for (int candidate = a.P + 1; candidate <= allowedPadding && padding is null; candidate++)
            if (a.N + 2L * candidate >= extent && (a.N + 2L * candidate - extent) % a.S <= candidate) padding = candidate;
        return (strides, padding);
    }

    /// <summary>" — choose stride 1, 2 or 4, or padding 1".</summary>
    private static string SuggestionText(List<int> strides, int? padding)
    {
        var parts = new List<string>();
        if (strides.Count > 0) parts.Add("stride " + Alternatives(strides));
        if (padding is not null) parts.Add($"padding {padding}");
        return parts.Count == 0 ? "" : " — choose " + string.Join(", or ", parts);
    }

    /// <summary>"1", "1 or 2", "1, 2 or 4".</summary>
    private static string Alternatives(List<int> values) =>
        values.Count == 1 ? values[0].ToString(System.Globalization.CultureInfo.InvariantCulture)
        : string.Join(", ", values.GetRange(0, values.Count - 1)) + " or " + values[values.Count - 1];
}
