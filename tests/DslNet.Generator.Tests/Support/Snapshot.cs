using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace DslNet.Generator.Tests.Support;

/// <summary>
/// Compares text with a checked-in baseline, Snapshots/NAME.verified.cs beside the test source.
/// On a mismatch it writes NAME.received.cs next to it and fails with a line diff. To accept new
/// output, run the tests with DSLNET_ACCEPT_SNAPSHOTS=1 (the received text becomes the baseline)
/// and review the change in git before committing it.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "DSLNET_ACCEPT_SNAPSHOTS";

    public static void Match(string name, string actual, [CallerFilePath] string testFile = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        throw new XunitException(expected is null
            ? $"No baseline {verified}. The output was written to {received}; run with {AcceptVariable}=1 to accept it."
            : $"Snapshot {name} differs from its baseline (received: {received}; accept with {AcceptVariable}=1):\n{Diff(expected, actual)}");
    }

    /// <summary>A compact line diff: the first differing region with a few lines of context.</summary>
    internal static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        int start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        int endA = a.Length - 1, endB = b.Length - 1;
        while (endA >= start && endB >= start && a[endA] == b[endB]) { endA--; endB--; }
        var text = new StringBuilder();
        for (int i = Math.Max(0, start - 3); i < start; i++) text.Append("  ").Append(i + 1).Append(": ").AppendLine(a[i]);
        for (int i = start; i <= endA && i < start + 40; i++) text.Append("- ").Append(i + 1).Append(": ").AppendLine(a[i]);
        for (int i = start; i <= endB && i < start + 40; i++) text.Append("+ ").Append(i + 1).Append(": ").AppendLine(b[i]);
        return text.ToString();
    }
}
