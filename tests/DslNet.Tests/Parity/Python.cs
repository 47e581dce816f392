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
        foreach (string module in modules)
        {
            var (code, _, error) = Run(new[] { "-c", $"import {module}" }, Fixture.RepositoryRoot());
            if (code != 0)
                throw new XunitException(
                    $"Python module '{module}' is missing: install the Debian package python3-{module} (apt-get install python3-{module}; " +
                    $"test.sh installs .ci/debian-packages). {error.Trim()}");
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
