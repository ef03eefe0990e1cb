using System.Runtime.InteropServices;
using TorchSharp;

namespace Rethink.Runtime;

/// <summary>Turns "cpu", "cuda", "cuda:N" or "auto" into a device, saying why CUDA is not there when it is asked for.</summary>
public static class DeviceSelector
{
    public static torch.Device Resolve(string name)
    {
        TorchRuntime.EnsureLoaded();
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n == "auto") return CudaAvailable() ? torch.CUDA : torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!CudaAvailable()) throw new InvalidOperationException($"--device {name}: CUDA is not available. {WhyNoCuda()}");
            return torch.device(n);
        }
        throw new ArgumentException($"unknown device '{name}': use cpu, cuda, cuda:N or auto", nameof(name));
    }

    public static bool CudaAvailable()
    {
        TorchRuntime.EnsureLoaded();
        try { torch.InitializeDeviceType(DeviceType.CUDA); } catch (Exception) { return false; }
        return torch.cuda.is_available();
    }

    /// <summary>A sentence on why CUDA is unavailable (or that it is available).</summary>
    public static string WhyNoCuda()
    {
        if (CudaAvailable()) return $"CUDA is available ({torch.cuda.device_count()} device(s)).";
        string? lib = NativeLibraryCheck.FindLibrary();
        string dir = lib != null ? Path.GetDirectoryName(lib)! : AppContext.BaseDirectory;
        bool cudaTorch = File.Exists(Path.Combine(dir, "libtorch_cuda.so")) || NativeLibrary.TryLoad("libtorch_cuda.so", out _);
        if (!cudaTorch)
            return "This build carries the CPU libtorch only (no libtorch_cuda.so beside LibTorchSharp or on LD_LIBRARY_PATH); " +
                   "see README, 'Running on a GPU'.";
        if (!NativeLibrary.TryLoad("libcuda.so.1", out _))
            return "libtorch_cuda.so is present but the NVIDIA driver library libcuda.so.1 is not (no driver, or not on the loader path).";
        return "libtorch_cuda.so and the driver are present, but libtorch reports no usable CUDA device.";
    }
}
