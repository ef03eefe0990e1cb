using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Rethink.Kernel;

/// <summary>
/// The Rethink notebook kernel: a composite of C# (Roslyn, .NET Interactive's CSharpKernel with #r "nuget:" support), F#
/// (FSharp.Compiler.Service, see <see cref="FSharpKernel"/>) and HTML, with the project's formatters registered and
/// FSharp.Core 10.1.403 loaded (so Plotly.NET 6 charts render, which the official tool cannot do).
/// </summary>
public static class RethinkKernel
{
    public static CompositeKernel Create()
    {
        Formatters.Register();
        var csharp = new CSharpKernel().UseNugetDirective((k, refs) => { k.AddAssemblyReferences(refs.SelectMany(r => r.AssemblyPaths)); return Task.CompletedTask; }).UseKernelHelpers().UseValueSharing();
        var kernel = new CompositeKernel("rethink")
        {
            csharp,
            new FSharpKernel(),
            new HtmlKernel(),
        };
        kernel.DefaultKernelName = csharp.Name;
        kernel.UseImportMagicCommand();
        return kernel;
    }
}
