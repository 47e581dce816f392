using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace DslNet.Package.Tests.Support;

/// <summary>The exit code and the combined output of a finished child process.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Output)
{
    public override string ToString() => $"$ {Command}\n(exit code {ExitCode})\n{Output}";
}

/// <summary>
/// Runs `dotnet …` for the package tests. Builds run without MSBuild node reuse or the compiler
/// server: those outlive the build and would hold the redirected output open (and linger after the
/// test run). Variables set by the outer `dotnet test` that would steer the child's MSBuild are removed.
/// </summary>
public static class ProcessRunner
{
    private static readonly string[] InheritedVariablesToDrop =
    {
        "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly",
        "DSLNET_BUILD_ROOT", "VSTEST_HOST_DEBUG",
    };

    public static ProcessResult Dotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run("dotnet", workingDirectory, timeout, arguments, keepBuildRoot: false);

    /// <summary>As <see cref="Dotnet"/>, but keeps DSLNET_BUILD_ROOT (to find the repository's own build outputs).</summary>
    public static ProcessResult DotnetInRepository(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run("dotnet", workingDirectory, timeout, arguments, keepBuildRoot: true);

    private static ProcessResult Run(string fileName, string workingDirectory, TimeSpan timeout, IReadOnlyList<string> arguments, bool keepBuildRoot)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (string name in InheritedVariablesToDrop)
            if (!(keepBuildRoot && name == "DSLNET_BUILD_ROOT")) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = fileName + " " + string.Join(' ', arguments);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{command}' in {workingDirectory} did not finish within {timeout.TotalSeconds} s. Output so far:\n{output}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (output) return new ProcessResult(command, process.ExitCode, output.ToString());
    }
}
