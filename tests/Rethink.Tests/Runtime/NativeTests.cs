using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Tests.Runtime;

public class NativeTests
{
    static bool SystemHasGlibcxx3432()
    {
        var lib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.First(File.Exists);
        return System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(lib)).Contains("GLIBCXX_3.4.32\0");
    }

    [Fact]
    public void LibTorchLoadsAndTheBuildFixIsAppliedOnlyWhereNeeded()
    {
        TorchRuntime.EnsureLoaded();
        using var t = ones(3);
        Assert.Equal(3.0f, t.sum().item<float>());
        Assert.Null(NativeLibraryCheck.LoadError());
        string? fix = NativeLibraryCheck.AppliedFix();
        if (SystemHasGlibcxx3432()) Assert.Null(fix);
        else Assert.Contains("GLIBCXX_3.4.32", fix);
    }

    [Fact]
    public void DoctorFactsNameVersionsThreadsAndCuda()
    {
        var facts = SystemReport.Collect().ToDictionary(f => f.Name, f => f.Value);
        Assert.StartsWith("2.10", facts["libtorch"]);
        Assert.Contains("intra-op", facts["threads"]);
        Assert.True(facts.ContainsKey("CUDA"));
        Assert.True(facts.ContainsKey("CPU features"));
        Assert.DoesNotContain(SystemReport.Collect(), f => f.Problem);
    }

    [Fact]
    public void CudaRequestOnACpuBuildSaysWhy()
    {
        if (DeviceSelector.CudaAvailable()) return;
        var ex = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve("cuda"));
        Assert.Contains("CPU libtorch only", ex.Message);
        Assert.Equal(DeviceType.CPU, DeviceSelector.Resolve("auto").type);
        Assert.Throws<ArgumentException>(() => DeviceSelector.Resolve("tpu"));
    }

    /// <summary>A copy of libLibTorchSharp.so that the build did not patch names the missing GLIBCXX version.</summary>
    [Fact]
    public void AnUnpatchedLibraryFailsWithTheLoadersReason()
    {
        if (SystemHasGlibcxx3432()) return; // nothing to show where the system library is new enough
        string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string original = Path.Combine(nuget, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(original), original);
        string dir = Path.Combine(Path.GetTempPath(), "rethink-unpatched-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string native = Path.GetDirectoryName(NativeLibraryCheck.FindLibrary())!;
        foreach (var f in Directory.GetFiles(native, "*.so*")) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), true);
        File.Copy(original, Path.Combine(dir, "libLibTorchSharp.so"), true);
        try
        {
            var ex = Assert.ThrowsAny<Exception>(() => System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(dir, "libLibTorchSharp.so")));
            Assert.Contains("GLIBCXX_3.4.32", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
