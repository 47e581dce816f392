using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslNet.Analyzers.Tests.Support;
using DslNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace DslNet.Analyzers.Tests.CodeFixes;

/// <summary>
/// A small stand-in for Microsoft.CodeAnalysis.Testing (not served here): puts the source in an
/// AdhocWorkspace project, runs the generator and the DslNet analyzers on it as the IDE does, asks the
/// fix provider for its actions on the diagnostic, applies the chosen one and returns the new text.
/// </summary>
public static class CodeFixHarness
{
    private const string Path = AnalyzerHarness.Folder + "Source0.cs";

    /// <summary>The source as a workspace document, and the DSL diagnostics the analyzers report on it (the generator having run).</summary>
    public static async Task<(Document Document, IReadOnlyList<Diagnostic> Diagnostics)> OpenAsync(string source)
    {
        var workspace = new AdhocWorkspace();
        var references = AnalyzerHarness.Compile(new[] { source }).References;
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Networks", "Networks", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: AnalyzerHarness.ParseOptions, metadataReferences: references))
            .AddDocument(documentId, "Source0.cs", SourceText.From(source), filePath: Path);
        var document = solution.GetDocument(documentId)!;
        return (document, await DiagnoseAsync(document.Project));
    }

    /// <summary>The actions <paramref name="provider"/> offers for the first <paramref name="id"/> diagnostic of the source.</summary>
    public static async Task<(Document Document, IReadOnlyList<CodeAction> Actions)> ActionsAsync(string source, CodeFixProvider provider, string id)
    {
        var (document, diagnostics) = await OpenAsync(source);
        var diagnostic = diagnostics.FirstOrDefault(d => d.Id == id)
            ?? throw new Xunit.Sdk.XunitException($"no {id} diagnostic in the source to fix");
        Assert.Contains(id, provider.FixableDiagnosticIds);
        return (document, await ActionsAsync(document, diagnostic, provider));
    }

    /// <summary>The actions <paramref name="provider"/> offers for one diagnostic of the document.</summary>
    public static async Task<IReadOnlyList<CodeAction>> ActionsAsync(Document document, Diagnostic diagnostic, CodeFixProvider provider)
    {
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    /// <summary>The text of the document after applying <paramref name="action"/>.</summary>
    public static async Task<string> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>
    /// Applies the action titled <paramref name="title"/> (or the only/first one when null) and returns the
    /// fixed source text.
    /// </summary>
    public static async Task<string> FixAsync(string source, CodeFixProvider provider, string id, string? title = null)
    {
        var (document, actions) = await ActionsAsync(source, provider, id);
        Assert.True(actions.Count > 0, $"{provider.GetType().Name} offered no fix for {id}");
        var action = title is null ? actions[0] : actions.SingleOrDefault(a => a.Title == title)
            ?? throw new Xunit.Sdk.XunitException($"no action '{title}'; offered: {string.Join(" | ", actions.Select(a => a.Title))}");
        return await ApplyAsync(document, action);
    }

    /// <summary>The fixed source must be clean: no DSL diagnostic, no compiler error, nothing from the generator.</summary>
    public static void AssertClean(string source)
    {
        var run = AnalyzerHarness.Analyze(source);
        Assert.True(run.Dsl.IsEmpty, "DSL diagnostics left after the fix:\n" + string.Join("\n", run.Dsl.Select(AnalyzerHarness.Describe)));
        Assert.True(run.CompilerErrors.IsEmpty, "compiler errors after the fix:\n" + string.Join("\n", run.CompilerErrors.Select(AnalyzerHarness.Describe)));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.AnalyzerExceptions);
    }

    private static async Task<IReadOnlyList<Diagnostic>> DiagnoseAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: AnalyzerHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out _);
        var diagnostics = await withGenerated.WithAnalyzers(AnalyzerHarness.Analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        return diagnostics.Where(d => d.Location.SourceTree?.FilePath == Path).OrderBy(d => d.Location.SourceSpan.Start).ToList();
    }
}
