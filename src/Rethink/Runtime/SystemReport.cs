using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Rethink.Runtime;

/// <summary>One fact for `rethink doctor`: a name, its value, and whether it is a problem.</summary>
public sealed record Fact(string Name, string Value, bool Problem = false);

/// <summary>The facts a user needs when something is wrong: versions, threads, CPU features, CUDA, native fixes.</summary>
public static class SystemReport
{
    public static IReadOnlyList<Fact> Collect()
    {
        var facts = new List<Fact>
        {
            new(".NET", RuntimeInformation.FrameworkDescription + " (" + RuntimeInformation.RuntimeIdentifier + ")"),
            new("OS", OsName()),
            new("TorchSharp", typeof(torch).Assembly.GetName().Version?.ToString() ?? "?"),
        };
        string? loadError = null;
        try { TorchRuntime.EnsureLoaded(); }
        catch (NativeLoadException e) { loadError = e.Message; }
        facts.Add(new("libtorch", loadError == null ? torch.__version__ : "not loaded: " + loadError, loadError != null));
        facts.Add(new("native library", NativeLibraryCheck.FindLibrary() ?? "libLibTorchSharp.so not found", NativeLibraryCheck.FindLibrary() == null));
        facts.Add(new("native fix", NativeLibraryCheck.AppliedFix() ?? "none needed (system libstdc++ satisfies libLibTorchSharp.so)"));
        facts.Add(new("libstdc++", LibstdcxxVersion()));
        facts.Add(new("oneDNN", "1x1 stride-2 convolutions run as a strided slice + stride-1 conv (Modeling.Layers.PointwiseConv): " +
                                "oneDNN's brgemm 1x1 backward dies with SIGFPE on AVX-512 CPUs for Conv2d(1024,2048,1,stride 2)"));
        facts.Add(new("cores", Environment.ProcessorCount.ToString()));
        if (loadError == null)
            facts.Add(new("threads", $"intra-op {torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}"));
        facts.Add(new("CPU", CpuModel()));
        facts.Add(new("CPU features", CpuFeatures()));
        facts.Add(new("memory", MemoryTotal()));
        if (loadError == null)
        {
            bool cuda = DeviceSelector.CudaAvailable();
            facts.Add(new("CUDA", cuda ? $"available: {torch.cuda.device_count()} device(s)" : "not available: " + DeviceSelector.WhyNoCuda()));
        }
        facts.Add(new("Rethink", typeof(SystemReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?"));
        return facts;
    }

    static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (line != null) return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }

    static IEnumerable<string> CpuInfoLines()
    {
        try { return File.ReadLines("/proc/cpuinfo").ToList(); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    static string CpuModel() =>
        CpuInfoLines().FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        ?? RuntimeInformation.ProcessArchitecture.ToString();

    static string CpuFeatures()
    {
        var flags = CpuInfoLines().FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[1]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet() ?? [];
        string[] wanted = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"];
        var have = wanted.Where(flags.Contains).ToList();
        return have.Count > 0 ? string.Join(" ", have) : "unknown";
    }

    static string MemoryTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal));
            long kb = long.Parse(Regex.Match(line, @"\d+").Value);
            return $"{kb / 1024.0 / 1024.0:F1} GiB";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException) { return "unknown"; }
    }

    static string LibstdcxxVersion()
    {
        string? path = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
        if (path == null) return "not found";
        var text = System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path));
        var top = Regex.Matches(text, @"GLIBCXX_3\.4\.(\d+)").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
        return $"{path}, up to GLIBCXX_3.4.{top}";
    }
}
