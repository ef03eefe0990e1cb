using System.CommandLine;
using Rethink.Runtime;

namespace Rethink.Cli.Commands;

/// <summary>`rethink doctor`: the facts a user needs when something is wrong.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var probe = new Option<bool>("--probe-onednn")
        {
            Description = "Also run the raw oneDNN crash case (Conv2d(1024,2048,1,stride 2) backward) in a child process and report whether it still crashes.",
        };
        var command = new Command("doctor", "Print .NET and libtorch versions, threads, CPU features, CUDA status and the native fixes in effect.");
        command.Options.Add(probe);
        command.SetAction(parse =>
        {
            var facts = SystemReport.Collect().ToList();
            if (parse.GetValue(probe))
            {
                var raw = SelfTestCommand.RunChild("onednn", "--raw");
                var safe = SelfTestCommand.RunChild("onednn");
                facts.Add(new Fact("oneDNN raw case", raw.Describe()));
                facts.Add(new Fact("oneDNN with workaround", safe.Describe(), safe.ExitCode != 0));
            }
            int width = facts.Max(f => f.Name.Length);
            foreach (var f in facts)
                Console.WriteLine($"{(f.Problem ? "!" : " ")} {f.Name.PadRight(width)}  {f.Value}");
            return facts.Any(f => f.Problem) ? 1 : 0;
        });
        return command;
    }
}
