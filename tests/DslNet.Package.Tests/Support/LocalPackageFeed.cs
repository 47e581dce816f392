using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace DslNet.Package.Tests.Support;

/// <summary>
/// Packs src/DslNet (from the existing build, no rebuild) into a fresh temporary folder that serves
/// as a local NuGet feed, once for all tests of the class. Every run packs a unique prerelease
/// version, so a consumer restores this very package and never a copy cached in the global packages
/// folder by an earlier run; that cached copy is deleted again on dispose.
/// </summary>
public sealed class LocalPackageFeed : IDisposable
{
    public LocalPackageFeed()
    {
        Folder = Directory.CreateTempSubdirectory("dslnet-feed-").FullName;
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Environment.ProcessId;
        PackResult = ProcessRunner.DotnetInRepository(RepositoryPaths.Root, TimeSpan.FromMinutes(3),
            "pack", RepositoryPaths.RuntimeProject, "-c", RepositoryPaths.Configuration, "--no-build",
            "-o", Folder, $"-p:PackageVersion={Version}", "-nologo");
        PackagePath = Path.Combine(Folder, $"DslNet.{Version}.nupkg");
    }

    /// <summary>The feed folder holding the .nupkg.</summary>
    public string Folder { get; }

    /// <summary>The package version packed for this run.</summary>
    public string Version { get; }

    public ProcessResult PackResult { get; }

    public string PackagePath { get; }

    public void Dispose()
    {
        TryDelete(Folder);
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(cache, "dslnet", Version.ToLowerInvariant()));
        string idFolder = Path.Combine(cache, "dslnet");
        if (Directory.Exists(idFolder) && !Directory.EnumerateFileSystemEntries(idFolder).Any()) TryDelete(idFolder);
    }

    internal static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { /* best effort: a temp folder left behind does no harm */ }
        catch (UnauthorizedAccessException) { }
    }
}
