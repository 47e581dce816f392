using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace DslNet.Package.Tests.Support;

/// <summary>Where the repository is and how it was built, as recorded in this test assembly by its project file.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding DslNet.sln.</summary>
    public static string Root { get; } = Metadata("DslNet.RepositoryRoot");

    /// <summary>The configuration this test assembly was built in; the package is packed from the same build.</summary>
    public static string Configuration { get; } = Metadata("DslNet.Configuration");

    public static string RuntimeProject => Path.Combine(Root, "src", "DslNet", "DslNet.csproj");

    private static string Metadata(string key) =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata; see DslNet.Package.Tests.csproj.");
}
