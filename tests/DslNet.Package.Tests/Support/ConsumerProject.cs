using System;
using System.IO;

namespace DslNet.Package.Tests.Support;

/// <summary>
/// A fresh console project in a temporary folder outside the repository that references the DslNet
/// package from a <see cref="LocalPackageFeed"/>: its own nuget.config (the local feed added to the
/// usual sources) and empty Directory.Build.props/.targets so nothing of the repository's build
/// (or of any folder above) leaks in.
/// </summary>
public sealed class ConsumerProject : IDisposable
{
    public const string Name = "Consumer";

    public ConsumerProject(LocalPackageFeed feed, params (string File, string Text)[] sources)
    {
        Folder = Directory.CreateTempSubdirectory("dslnet-consumer-").FullName;
        Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dslnet-local" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        Write("Directory.Build.props", "<Project />\n");
        Write("Directory.Build.targets", "<Project />\n");
        Write("Directory.Packages.props", "<Project />\n");
        Write($"{Name}.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DslNet" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, text) in sources) Write(file, text);
    }

    public string Folder { get; }

    public ProcessResult Build() =>
        ProcessRunner.Dotnet(Folder, TimeSpan.FromMinutes(3), "build", "-c", "Release", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");

    /// <summary>Runs the built program (no rebuild).</summary>
    public ProcessResult Run() =>
        ProcessRunner.Dotnet(Folder, TimeSpan.FromMinutes(1), Path.Combine(Folder, "bin", "Release", "net10.0", Name + ".dll"));

    private void Write(string file, string text) => File.WriteAllText(Path.Combine(Folder, file), text);

    public void Dispose() => LocalPackageFeed.TryDelete(Folder);
}
