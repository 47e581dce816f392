#!/usr/bin/env python3
# Regenerates the descriptor fields of analyzers/DslNet.Analyzers/DslDescriptors.cs and
# AnalyzerReleases.Unshipped.md from the catalogue. Run from the repository root after editing
# generator/DslNet.Generator/Shapes/DiagnosticCatalog.cs (CatalogueTests fail until it is run).
import re
s=open('generator/DslNet.Generator/Shapes/DiagnosticCatalog.cs').read()
consts=dict(re.findall(r'public const string (\w+) = "(DSL\d+)";',s))
rows=[]
for m in re.finditer(r'\[(\w+)\] = new\(\w+, "((?:[^"\\]|\\.)*)", .*?Severity\.(\w+)\),\n',s):
    rows.append((consts[m.group(1)],m.group(1),m.group(3),m.group(2)))
rows.sort()
lines=[]
for i,name,sev,title in rows:
    lines.append(f"    public static readonly DiagnosticDescriptor {name} = new DiagnosticDescriptor(DiagnosticCatalog.{name}, Title(DiagnosticCatalog.{name}), Format(DiagnosticCatalog.{name}),\n        Category, DiagnosticSeverity.{sev}, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticCatalog.{name}), customTags: Tags(DiagnosticCatalog.{name}));\n")
names=", ".join(r[1] for r in rows)
lines.append(f"    public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create({names});")
p='analyzers/DslNet.Analyzers/DslDescriptors.cs'
d=open(p).read()
d=re.sub(r'(    // BEGIN generated from the catalogue by tools/sync_catalogue.py\n).*?(    // END)', lambda m: m.group(1)+"\n".join(lines)+"\n"+m.group(2), d, flags=re.S)
open(p,'w').write(d)
out=["; Unshipped analyzer release","; https://github.com/dotnet/roslyn-analyzers/blob/main/src/Microsoft.CodeAnalysis.Analyzers/ReleaseTrackingAnalyzers.Help.md","","### New Rules","","Rule ID | Category | Severity | Notes","--------|----------|----------|-------"]
for i,name,sev,title in rows: out.append(f"{i} | DslNet | {sev} | {title}")
open('analyzers/DslNet.Analyzers/AnalyzerReleases.Unshipped.md','w').write("\n".join(out)+"\n")
print(len(rows))
