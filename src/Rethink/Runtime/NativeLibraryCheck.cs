using System.Runtime.InteropServices;
using TorchSharp;

namespace Rethink.Runtime;

/// <summary>
/// Finds TorchSharp's native library and explains, in the dynamic loader's own words, why it does not load.
/// TorchSharp itself only says the app "doesn't contain a reference to libtorch-cpu-linux-x64", whatever went wrong.
/// </summary>
public static class NativeLibraryCheck
{
    public const string LibraryName = "libLibTorchSharp.so";
    /// <summary>Written by build/NativeFix.targets beside each patched copy.</summary>
    public const string FixMarkerSuffix = ".rethink-native-fix";

    /// <summary>Directories TorchSharp searches for its native library, in its order.</summary>
    public static IReadOnlyList<string> SearchDirectories()
    {
        var roots = new List<string> { AppContext.BaseDirectory };
        string? torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir)) roots.Add(torchDir);
        var dirs = new List<string>();
        foreach (var root in roots.Distinct())
        {
            dirs.Add(root);
            dirs.Add(Path.Combine(root, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
            dirs.Add(Path.Combine(root, "runtimes", "linux-x64", "native"));
        }
        return dirs.Distinct().ToList();
    }

    /// <summary>The first copy of libLibTorchSharp.so in TorchSharp's search path, or null.</summary>
    public static string? FindLibrary() =>
        SearchDirectories().Select(d => Path.Combine(d, LibraryName)).FirstOrDefault(File.Exists);

    /// <summary>The text of the build's native-fix marker beside the library, or null where no fix was needed or applied.</summary>
    public static string? AppliedFix()
    {
        string? lib = FindLibrary();
        if (lib == null || !File.Exists(lib + FixMarkerSuffix)) return null;
        return File.ReadAllText(lib + FixMarkerSuffix).Trim();
    }

    /// <summary>Loads the library directly and returns the loader's error, or null when it loads.</summary>
    public static string? LoadError()
    {
        string? lib = FindLibrary();
        if (lib == null)
            return $"{LibraryName} is not in any folder TorchSharp searches ({string.Join(", ", SearchDirectories())}). " +
                   "The app references TorchSharp without a libtorch package: add libtorch-cpu-linux-x64 (or a CUDA libtorch).";
        string dir = Path.GetDirectoryName(lib)!;
        // libtorch_cpu first: a failure there names the missing dependency rather than LibTorchSharp.
        foreach (var name in new[] { "libtorch_cpu.so", LibraryName })
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path))
            {
                // A build without libtorch (RethinkLibTorch=external) takes it from the loader path instead.
                if (NativeLibrary.TryLoad(name, out _)) continue;
                return $"{name} is neither beside {LibraryName} ({dir}) nor on the loader path " +
                       $"(LD_LIBRARY_PATH={Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "unset"}): reference a libtorch package, " +
                       "or point LD_LIBRARY_PATH at a libtorch (e.g. a PyTorch install's torch/lib).";
            }
            try { NativeLibrary.Load(path); }
            catch (DllNotFoundException e) { return Explain(path, e.Message); }
            catch (BadImageFormatException e) { return $"{path} is not a library for this machine: {e.Message}"; }
        }
        return null;
    }

    static string Explain(string path, string dotnetMessage)
    {
        // .NET appends dlerror()'s text after its own advice; keep the system's words.
        string reason = dotnetMessage.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        string text = $"{path} does not load: {reason}";
        if (reason.Contains("GLIBCXX_", StringComparison.Ordinal))
            text += File.Exists(path + FixMarkerSuffix)
                ? " The build's native fix was applied but another version is missing; see `./rethink doctor`."
                : " This copy was not patched by the build (build/NativeFix.targets runs after every `dotnet build`); " +
                  "rebuild the project, or install a libstdc++ that provides that version.";
        return text;
    }
}
