using System.CommandLine;
using Rethink.Cli.Commands;
using Rethink.Runtime;

var root = new RootCommand("Rethink: reproduce and explore \"Rethinking ImageNet Pre-training\" (He, Girshick, Dollár, ICCV 2019).");
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(SelfTestCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
try
{
    return root.Parse(args).Invoke();
}
catch (NativeLoadException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 3;
}
