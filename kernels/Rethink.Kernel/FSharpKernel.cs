using FSharp.Compiler.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.FSharp.Core;

namespace Rethink.Kernel;

/// <summary>
/// An F# kernel on FSharp.Compiler.Service's FSI session, in process (Microsoft.DotNet.Interactive.FSharp is not served
/// here). Keeps definitions between cells, handles #r "path.dll" and #load, shows the value of a cell's last
/// expression with the kernel's formatters (so Plotly.NET charts and the project's figures render), and reports
/// compile errors and exceptions as failures. Not supported: #r "nuget:...", completions, hover.
/// </summary>
public sealed class FSharpKernel : Microsoft.DotNet.Interactive.Kernel, IKernelCommandHandler<SubmitCode>
{
    readonly Lazy<Shell.FsiEvaluationSession> session;
    readonly StringWriter fsiOut = new(), fsiErr = new();

    public FSharpKernel(string name = "fsharp") : base(name)
    {
        KernelInfo.LanguageName = "F#";
        KernelInfo.LanguageVersion = "10.0";
        KernelInfo.DisplayName = "F# (Rethink, FSharp.Compiler.Service)";
        session = new Lazy<Shell.FsiEvaluationSession>(Create);
    }

    Shell.FsiEvaluationSession Create()
    {
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        string[] args = ["fsi.exe", "--noninteractive", "--nologo", "--gui-", "--quiet"];
        return Shell.FsiEvaluationSession.Create(config, args, new StringReader(""), fsiOut, fsiErr, FSharpOption<bool>.Some(false), null);
    }

    async Task IKernelCommandHandler<SubmitCode>.HandleAsync(SubmitCode command, KernelInvocationContext context)
    {
        // Let the previous command's completion go out before this one blocks in the compiler (commands pipelined
        // over stdio otherwise lost the previous CommandSucceeded).
        await Task.Yield();
        context.Publish(new CodeSubmissionReceived(command));
        var console = Console.Out;
        var cellOut = new StringWriter();
        Console.SetOut(cellOut);
        Tuple<FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>, FSharp.Compiler.Diagnostics.FSharpDiagnostic[]> result;
        try
        {
            result = session.Value.EvalInteractionNonThrowing(command.Code, FSharpOption<CancellationToken>.Some(context.CancellationToken));
        }
        finally
        {
            Console.SetOut(console);
        }
        string printed = cellOut.ToString();
        if (printed.Length > 0)
            context.Publish(new StandardOutputValueProduced(command, FormattedValue.CreateManyFromObject(printed, PlainTextFormatter.MimeType)));
        var errors = result.Item2.Where(d => d.Severity.IsError).ToList();
        if (result.Item1 is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 failure)
        {
            string message = errors.Count > 0 ? string.Join("\n", errors.Select(e => e.ToString())) : failure.Item.ToString();
            context.Fail(command, failure.Item is Exception ex && errors.Count == 0 ? ex : null, message);
            return;
        }
        if (result.Item1 is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2 ok && ok.Item is { } value && value.Value.ReflectionValue is { } v
            && value.Value.ReflectionType != typeof(Unit))
        {
            context.Publish(new ReturnValueProduced(v, command, FormattedValue.CreateManyFromObject(v)));
        }
    }
}
