using System.Reflection;
using Rethink.DataPrep.Common;

namespace Rethink.DataPrep.ImageNet;

/// <summary>The two ONNX files of the NuGet package, as found (and checked) in the NuGet global packages folder.</summary>
public sealed record ImageNetR18Files(string PackageDirectory, string Network, string Preprocess, bool Restored);

/// <summary>
/// NuGet's Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT): ImageNet-trained ResNet-18 weights exported from CNTK
/// to ONNX. Found in the NuGet global packages folder, restored there through `dotnet restore` of a tiny project
/// (PackageDownload: the package alone, none of its ML.NET dependencies) when missing; both files are SHA-256 checked.
/// </summary>
public static class ImageNetR18Package
{
    public const string Id = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string Version = "0.23.1";
    public const string NetworkPath = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
    public const string PreprocessPath = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";
    public const string NetworkSha256 = "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f";
    public const string PreprocessSha256 = "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004";
    const string Origin = Id + " " + Version;

    /// <summary>The NuGet global packages folder: NUGET_PACKAGES, else what `dotnet nuget locals` reports, else ~/.nuget/packages.</summary>
    public static string GlobalPackagesFolder()
    {
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        try
        {
            var r = ExternalTool.Run("dotnet", ["nuget", "locals", "global-packages", "--list"], Path.GetTempPath(), TimeSpan.FromMinutes(1), "install the .NET SDK");
            const string prefix = "global-packages:";
            var line = r.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (r.ExitCode == 0 && line is not null) return line[prefix.Length..].Trim();
        }
        catch (InvalidOperationException) { }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    /// <summary>Where the package is (or would be) in the global packages folder.</summary>
    public static string PackageDirectory(string? globalPackages = null) =>
        Path.Combine(globalPackages ?? GlobalPackagesFolder(), Id.ToLowerInvariant(), Version);

    /// <summary>The checked ONNX files; restores the package through NuGet first when it is not in the cache.</summary>
    public static ImageNetR18Files Ensure(TextWriter? log = null)
    {
        string globalPackages = GlobalPackagesFolder();
        string dir = PackageDirectory(globalPackages);
        bool restored = false;
        if (!File.Exists(Path.Combine(dir, NetworkPath)) || !File.Exists(Path.Combine(dir, PreprocessPath)))
        {
            log?.WriteLine($"{Id} {Version} is not in {globalPackages}: restoring it with dotnet restore");
            Restore();
            restored = true;
            if (!File.Exists(Path.Combine(dir, NetworkPath)))
                throw new InvalidOperationException($"dotnet restore finished but {Path.Combine(dir, NetworkPath)} is not there (is NUGET_PACKAGES or the NuGet config pointing elsewhere?)");
        }
        var files = new ImageNetR18Files(dir, Path.Combine(dir, NetworkPath), Path.Combine(dir, PreprocessPath), restored);
        Checksums.VerifyFile(files.Network, NetworkSha256, Origin);
        Checksums.VerifyFile(files.Preprocess, PreprocessSha256, Origin);
        return files;
    }

    /// <summary>Runs `dotnet restore` on the embedded fetch project in a temporary folder (the package lands in the global packages folder).</summary>
    public static void Restore()
    {
        string work = Directory.CreateTempSubdirectory("rethink-fetch-").FullName;
        try
        {
            string proj = Path.Combine(work, "ResNet18Onnx.fetch.proj");
            using (var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("ResNet18Onnx.fetch.proj")
                   ?? throw new InvalidOperationException("the fetch project is not embedded in Rethink.DataPrep"))
            using (var file = File.Create(proj))
                resource.CopyTo(file);
            var r = ExternalTool.Run("dotnet", ["restore", proj, "--nologo", "-v", "q"], work, TimeSpan.FromMinutes(10), "install the .NET SDK 10");
            if (r.ExitCode != 0)
                throw new InvalidOperationException($"dotnet restore of {Id} {Version} failed (exit {r.ExitCode}); is nuget.org reachable?\n{r.Output}");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
