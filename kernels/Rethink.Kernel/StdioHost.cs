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
        var eof = new TaskCompletionSource();
        var protocolIn = new EofSignal(new StreamReader(Console.OpenStandardInput()), eof);
        Console.SetOut(Console.Error);
        using var kernel = RethinkKernel.Create();
        kernel.UseQuitCommand();
        var hostUri = KernelHost.CreateHostUriForCurrentProcessId();
        var sender = KernelCommandAndEventSender.FromTextWriter(protocolOut, hostUri);
        var receiver = KernelCommandAndEventReceiver.FromTextReader(protocolIn);
        using var host = kernel.UseHost(sender, receiver, hostUri);
        // ConnectAndWaitAsync announces KernelReady with the kernel infos, as the official tool's stdio mode does.
        // The client closing stdin ends the server (the protocol reader alone kept polling a closed stream).
        // Commands already sent still finish: wait until every command read has completed (root commands: their tokens
        // have no '.', child commands' do).
        int completed = 0;
        using var _ = kernel.KernelEvents.Subscribe(e =>
        {
            if (e is Microsoft.DotNet.Interactive.Events.KernelCommandCompletionEvent && !e.Command.GetOrCreateToken().Contains('.')) Interlocked.Increment(ref completed);
        });
        var connection = host.ConnectAndWaitAsync();
        if (await Task.WhenAny(connection, eof.Task) == eof.Task)
            while (Volatile.Read(ref completed) < protocolIn.Commands && !cancel.IsCancellationRequested) await Task.Delay(50, cancel);
        return 0;
    }

    /// <summary>A reader that reports the end of its input once.</summary>
    sealed class EofSignal(TextReader inner, TaskCompletionSource eof) : TextReader
    {
        int commands;
        public int Commands => Volatile.Read(ref commands);

        public override int Peek() => inner.Peek();
        public override int Read() => Seen(inner.Read());
        public override int Read(char[] buffer, int index, int count) => Seen(inner.Read(buffer, index, count), count == 0);
        public override string? ReadLine() => Seen(inner.ReadLine());
        public override async Task<string?> ReadLineAsync() => Seen(await inner.ReadLineAsync());
        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancel) => Seen(await inner.ReadLineAsync(cancel));

        int Seen(int n, bool empty = false) { if (n <= 0 && !empty) eof.TrySetResult(); return n; }
        string? Seen(string? line)
        {
            if (line is null) eof.TrySetResult();
            else if (line.Contains("\"commandType\"", StringComparison.Ordinal)) Interlocked.Increment(ref commands);
            return line;
        }

        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
