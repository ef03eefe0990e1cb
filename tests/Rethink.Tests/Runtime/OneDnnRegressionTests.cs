using System.Diagnostics;

namespace Rethink.Tests.Runtime;

/// <summary>
/// oneDNN's brgemm 1x1 strided backward died with SIGFPE on this CPU kind (notes/toolchain.md §2). The crashing case,
/// Conv2d(1024, 2048, 1, stride 2) backward, runs in a child process: a relapse fails this test instead of killing the
/// test host.
/// </summary>
public class OneDnnRegressionTests
{
    static (int exit, string output) RunCli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rethink.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void ResNetProjectionShortcutBackwardSurvivesInAChildProcess(int batch)
    {
        var (exit, output) = RunCli("selftest", "onednn", "--batch", batch.ToString());
        Assert.True(exit == 0, $"child exited {exit} (136 = SIGFPE, the oneDNN crash): {output}");
        Assert.Contains("ok: output (" + batch + ", 2048, 7, 7)", output);
    }
}
