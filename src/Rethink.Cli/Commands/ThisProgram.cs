namespace Rethink.Cli.Commands;

/// <summary>How to start this same program again (child checks, study workers).</summary>
public static class ThisProgram
{
    /// <summary>Its executable, and the arguments that come first: the entry assembly when it runs as `dotnet Rethink.Cli.dll`.</summary>
    public static (string Executable, IReadOnlyList<string> Prefix) Command()
    {
        string exe = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? (exe, [typeof(ThisProgram).Assembly.Location]) : (exe, []);
    }
}
