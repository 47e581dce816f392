using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace FashionMnist;

/// <summary>What the sample prints: progress, a confusion matrix, and test images as ASCII art.</summary>
internal static class Report
{
    private static readonly bool Interactive = !Console.IsOutputRedirected;

    /// <summary>A one-line progress bar, redrawn in place on a terminal (silent in logs).</summary>
    public static void Progress(string label, int done, int total, double loss)
    {
        if (!Interactive || (done % 10 != 0 && done != total)) return;
        const int width = 30;
        int filled = width * done / total;
        Console.Write($"\r  {label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} loss {loss:F4}   ");
        if (done == total) Console.Write('\r' + new string(' ', width + label.Length + 40) + '\r');
    }

    public static string ConfusionMatrix(int[,] counts, IReadOnlyList<string> names)
    {
        var text = new StringBuilder();
        string[] shortNames = names.Select(n => n.Length > 8 ? n[..8] : n).ToArray();
        text.Append("true \\ predicted ".PadRight(18));
        foreach (string n in shortNames) text.Append(n.PadLeft(9));
        text.AppendLine("   recall");
        for (int t = 0; t < names.Count; t++)
        {
            text.Append(("  " + names[t]).PadRight(18));
            int row = 0;
            for (int p = 0; p < names.Count; p++) { text.Append(counts[t, p].ToString().PadLeft(9)); row += counts[t, p]; }
            text.AppendLine($"   {(row == 0 ? 0 : 100.0 * counts[t, t] / row),5:F1}%");
        }
        return text.ToString();
    }

    /// <summary>A 28×28 image in 14 lines of characters (two pixel rows per line), darker = denser.</summary>
    public static string[] Ascii(ReadOnlySpan<float> image, int height = 28, int width = 28)
    {
        const string ramp = " .:-=+*#%@";
        var lines = new string[height / 2];
        for (int y = 0; y < height; y += 2)
        {
            var line = new char[width];
            for (int x = 0; x < width; x++)
            {
                float v = Math.Clamp((image[y * width + x] + image[(y + 1) * width + x]) / 2, 0, 1);
                line[x] = ramp[(int)(v * (ramp.Length - 1))];
            }
            lines[y / 2] = new string(line);
        }
        return lines;
    }
}
