using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Connection;

namespace Rethink.Kernel;

/// <summary>
/// The Rethink kernel over stdio, speaking .NET Interactive's JSON protocol (one command or event envelope per line),
/// the transport VS Code's Polyglot Notebooks extension starts its kernel with (setting
/// dotnet-interactive.kernelTransportArgs). stdout carries only the protocol: anything else printed goes to stderr.
/// </summary>
public static class StdioHost
{
    public static async Task<int> RunAsync(string? workingDirectory, CancellationToken cancel = default)
    {
        if (!string.IsNullOrEmpty(workingDirectory)) Directory.SetCurrentDirectory(workingDirectory);
        // Synchronized: events of different commands are written from different threads (an unsynchronized writer lost lines).
        var protocolOut = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = true });
        var protocolIn = new StreamReader(Console.OpenStandardInput());
        Console.SetOut(Console.Error);
        using var kernel = RethinkKernel.Create();
        kernel.UseQuitCommand();
        var hostUri = KernelHost.CreateHostUriForCurrentProcessId();
        var sender = KernelCommandAndEventSender.FromTextWriter(protocolOut, hostUri);
        var receiver = KernelCommandAndEventReceiver.FromTextReader(protocolIn);
        using var host = kernel.UseHost(sender, receiver, hostUri);
        // ConnectAndWaitAsync announces KernelReady with the kernel infos, as the official tool's stdio mode does.
        await host.ConnectAndWaitAsync();
        return 0;
    }
}
