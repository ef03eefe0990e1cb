using System.Text;
using TorchSharp;

namespace Rethink.Modeling;

/// <summary>A layer tree with parameter counts, as `rethink model summary` prints it.</summary>
public static class ModelSummary
{
    public static long TotalParameters(torch.nn.Module module) => module.parameters().Sum(p => p.numel());
    public static long TrainableParameters(torch.nn.Module module) => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>The tree down to <paramref name="depth"/> levels, each line with its total and trainable parameters.</summary>
    public static string Describe(torch.nn.Module module, int depth = 3)
    {
        var sb = new StringBuilder();
        Walk(module, module.GetName(), 0, depth, sb);
        sb.AppendLine($"total parameters:     {TotalParameters(module):N0}");
        sb.AppendLine($"trainable parameters: {TrainableParameters(module):N0}");
        return sb.ToString();
    }

    static void Walk(torch.nn.Module m, string name, int level, int depth, StringBuilder sb)
    {
        long total = TotalParameters(m), trainable = TrainableParameters(m);
        string pad = new(' ', level * 2);
        string label = $"{pad}{name} ({m.GetType().Name})";
        sb.AppendLine($"{label,-70} {total,14:N0} {(trainable == total ? "" : $"trainable {trainable:N0}")}");
        if (level + 1 >= depth) return;
        foreach (var (childName, child) in m.named_children()) Walk(child, childName, level + 1, depth, sb);
    }
}
