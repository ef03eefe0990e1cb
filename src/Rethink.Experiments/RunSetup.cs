using Rethink.Runtime;
using Rethink.Training;
using TorchSharp;

namespace Rethink.Experiments;

/// <summary>What every experiment does before it builds anything: threads, seed, device, the run folder and its config.json.</summary>
public static class RunSetup
{
    public static (torch.Device Device, RunDirectory Run) Prepare<TConfig>(string directory, TConfig config, int? threads, int seed, string device)
    {
        TorchRuntime.SetThreads(threads);
        TorchRuntime.Seed(seed);
        var resolved = DeviceSelector.Resolve(device);
        var run = new RunDirectory(directory);
        Directory.CreateDirectory(run.Path);
        run.WriteJson("config.json", config);
        return (resolved, run);
    }
}
