using TorchSharp;

namespace Rethink.Runtime;

/// <summary>Loads libtorch once, with a real reason on failure, and owns the process-wide settings (threads, seeds).</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool loaded;

    /// <summary>Loads TorchSharp's native backend; throws <see cref="NativeLoadException"/> naming the real cause.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded) return;
            NativeProbing.Register();
            PreloadBesideAssembly();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
            {
                string reason = NativeLibraryCheck.LoadError() ?? "TorchSharp failed to initialise: " + Innermost(e).Message;
                throw new NativeLoadException("libtorch could not be loaded. " + reason, e);
            }
            loaded = true;
        }
    }

    /// <summary>
    /// Hosts that did not build against TorchSharp (dotnet fsi, the official dotnet-interactive) do not find its native
    /// library through a deps.json, and TorchSharp's fallback copies the unpatched one from the NuGet cache. Loading
    /// the (patched) copy beside this assembly first makes every later lookup by name find it.
    /// </summary>
    static void PreloadBesideAssembly()
    {
        if (!OperatingSystem.IsLinux()) return;
        string? dir = Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return;
        foreach (var candidate in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
            if (File.Exists(candidate)) { System.Runtime.InteropServices.NativeLibrary.TryLoad(candidate, out _); return; }
    }

    /// <summary>Intra-op threads for libtorch; null keeps libtorch's default (one per core).</summary>
    public static void SetThreads(int? threads)
    {
        EnsureLoaded();
        if (threads is int n)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(threads), n, "threads must be at least 1");
            torch.set_num_threads(n);
        }
    }

    /// <summary>Seeds libtorch's generators (CPU and CUDA) for a reproducible run.</summary>
    public static void Seed(long seed)
    {
        EnsureLoaded();
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    static Exception Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e;
    }
}
