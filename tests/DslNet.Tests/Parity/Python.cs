using System;
using System.Diagnostics;
using System.IO;
using Xunit.Sdk;

namespace DslNet.Tests.Parity;

/// <summary>
/// Runs Debian's /usr/bin/python3 for the interop tests. When Python or a module a test needs is
/// missing, the test FAILS saying which package to install (test.sh installs every package of
/// .ci/debian-packages): an interop test that silently passed without its peer would prove nothing.
/// </summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Fails unless /usr/bin/python3 can import each of <paramref name="modules"/> ("torch" → python3-torch).</summary>
    public static void Require(params string[] modules)
    {
        if (!File.Exists(Executable))
            throw new XunitException($"{Executable} is missing: install the Debian packages of .ci/debian-packages (apt-get install python3-torch python3-onnx).");
        // One interpreter for all modules (starting Python with torch takes seconds): it prints the missing ones.
        string probe = "import importlib.util as u; print(' '.join(m for m in [" + string.Join(", ", Array.ConvertAll(modules, m => $"'{m}'")) +
            "] if u.find_spec(m) is None))";
        var (code, output, error) = Run(new[] { "-c", probe }, Fixture.RepositoryRoot());
        if (code != 0)
            throw new XunitException($"{Executable} failed to start: {error.Trim()}");
        string missing = output.Trim();
        if (missing.Length > 0)
        {
            string packages = string.Join(' ', Array.ConvertAll(missing.Split(' '), m => "python3-" + m));
            throw new XunitException(
                $"Python module(s) {missing} missing: install the Debian package(s) {packages} (apt-get install {packages}; " +
                "test.sh installs everything in .ci/debian-packages). This interop test cannot run without them.");
        }
    }

    /// <summary>Runs /usr/bin/python3 with <paramref name="arguments"/>; returns the exit code and both outputs.</summary>
    public static (int ExitCode, string Output, string Error) Run(string[] arguments, string workingDirectory, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"{Executable} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs a script and fails the test, showing its output, when it exits non-zero.</summary>
    public static string RunOrFail(params string[] arguments)
    {
        var (code, output, error) = Run(arguments, Fixture.RepositoryRoot());
        if (code != 0)
            throw new XunitException($"{Executable} {string.Join(' ', arguments)} exited with {code}:{Environment.NewLine}{output}{error}");
        return output;
    }
}
