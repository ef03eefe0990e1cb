using System.CommandLine;
using Rethink.Modeling;
using Rethink.Modeling.Layers;
using Rethink.Runtime;

namespace Rethink.Cli.Commands;

/// <summary>`rethink model summary|list`: look at the architectures.</summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "Architecture name (see `rethink model list`).", DefaultValueFactory = _ => "maskrcnn-r50-fpn" };
        var norm = new Option<string>("--norm") { Description = "none, frozenbn, bn, syncbn or gn.", DefaultValueFactory = _ => "frozenbn" };
        var classes = new Option<int>("--classes") { Description = "Classes including background.", DefaultValueFactory = _ => 91 };
        var depth = new Option<int>("--depth") { Description = "Levels of the layer tree to print.", DefaultValueFactory = _ => 3 };
        var summary = new Command("summary", "Print the layer tree and parameter counts (total and trainable).");
        summary.Options.Add(arch);
        summary.Options.Add(norm);
        summary.Options.Add(classes);
        summary.Options.Add(depth);
        summary.SetAction(parse =>
        {
            TorchRuntime.EnsureLoaded();
            var config = ModelZoo.Config(parse.GetValue(arch)!, NormKinds.Parse(parse.GetValue(norm)!), parse.GetValue(classes));
            using var model = new MaskRcnn(config);
            Console.WriteLine($"{parse.GetValue(arch)} norm={config.Norm.Name()} head-norm={config.EffectiveHeadNorm.Name()} classes={config.NumClasses} freeze_at={config.FreezeAt}");
            Console.Write(ModelSummary.Describe(model, parse.GetValue(depth)));
            return 0;
        });
        var list = new Command("list", "List the registered architectures.");
        list.SetAction(_ =>
        {
            foreach (var n in ModelZoo.Names) Console.WriteLine(n);
            return 0;
        });
        var command = new Command("model", "Inspect model architectures.");
        command.Subcommands.Add(summary);
        command.Subcommands.Add(list);
        return command;
    }
}
