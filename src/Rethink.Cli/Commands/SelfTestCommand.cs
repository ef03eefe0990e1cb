using System.CommandLine;
using System.Diagnostics;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Cli.Commands;

/// <summary>
/// `rethink selftest onednn [--raw]`: runs the convolution backward that crashes oneDNN on AVX-512 CPUs. Meant to run
/// in a child process (a crash kills the process with SIGFPE), by `doctor --probe-onednn` and by the tests.
/// </summary>
public static class SelfTestCommand
{
    public sealed record ChildResult(int ExitCode, string Output)
    {
        public string Describe() => ExitCode switch
        {
            0 => "ran (exit 0)",
            136 => "crashed with SIGFPE (exit 136)",
            _ => $"failed (exit {ExitCode}): {Output.Trim().Split('\n').LastOrDefault()}",
        };
    }

    public static Command Create()
    {
        var raw = new Option<bool>("--raw") { Description = "Use nn.Conv2d with stride 2 directly (no workaround)." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 2 };
        var onednn = new Command("onednn", "Backward of Conv2d(1024, 2048, 1, stride 2) on a 14x14 map.");
        onednn.Options.Add(raw);
        onednn.Options.Add(batch);
        onednn.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            using var scope = NewDisposeScope();
            manual_seed(0);
            nn.Module<Tensor, Tensor> conv = parse.GetValue(raw)
                ? nn.Conv2d(1024, 2048, 1, stride: 2, bias: false)
                : new PointwiseConv(1024, 2048, 2);
            var x = randn(parse.GetValue(batch), 1024, 14, 14, requires_grad: true);
            var y = conv.forward(x);
            y.square().mean().backward();
            Console.WriteLine($"ok: output ({string.Join(", ", y.shape)}), input grad norm {x.grad!.norm().item<float>():G4}");
            return 0;
        });
        var command = new Command("selftest", "Checks meant to run in a child process.") { Hidden = true };
        command.Subcommands.Add(onednn);
        return command;
    }

    /// <summary>Runs `selftest NAME ARGS` in a child process of this same program and reports how it ended.</summary>
    public static ChildResult RunChild(string name, params string[] args) => RunChildCommand(["selftest", name, .. args]);

    /// <summary>Runs this same program with <paramref name="args"/> in a child process and reports how it ended.</summary>
    public static ChildResult RunChildCommand(IReadOnlyList<string> args)
    {
        var (exe, prefix) = ThisProgram.Command();
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in prefix.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return new ChildResult(p.ExitCode, output);
    }
}
