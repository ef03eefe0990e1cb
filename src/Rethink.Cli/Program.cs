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
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(NotebooksCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (NativeLoadException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 3;
}
catch (Exception e) when (e is Rethink.Data.Coco.CocoFormatException or Rethink.Data.DataException or FileNotFoundException
                           or DirectoryNotFoundException or InvalidDataException or ArgumentException or InvalidOperationException
                           or Rethink.Training.TrainingDivergedException)
{
    // Bad input and refused requests get their message, not a stack trace (RETHINK_DEBUG=1 shows it).
    Console.Error.WriteLine("error: " + (Environment.GetEnvironmentVariable("RETHINK_DEBUG") == "1" ? e.ToString() : e.Message));
    return 2;
}
