using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Backbones;

/// <summary>A feature extractor that returns one map per stage (C2..C5), finest first.</summary>
public abstract class Backbone(string name) : nn.Module<Tensor, Tensor[]>(name)
{
    /// <summary>Channels of each returned map.</summary>
    public abstract IReadOnlyList<int> OutChannels { get; }
    /// <summary>Stride (in input pixels) of each returned map.</summary>
    public abstract IReadOnlyList<int> Strides { get; }
    /// <summary>Number of stages that <see cref="Freeze"/> counts (stem = 1).</summary>
    public abstract int StageCount { get; }

    /// <summary>Modules of stage <paramref name="index"/> (0 = stem).</summary>
    protected abstract IEnumerable<nn.Module> Stage(int index);

    /// <summary>
    /// Stops gradients into the stem and the first <paramref name="freezeAt"/> - 1 residual stages (Detectron's
    /// FREEZE_AT: 0 freezes nothing, 2 freezes stem and res2). From-scratch training must use 0.
    /// </summary>
    public void Freeze(int freezeAt)
    {
        if (freezeAt < 0 || freezeAt > StageCount) throw new ArgumentOutOfRangeException(nameof(freezeAt), freezeAt, $"freeze_at must be in 0..{StageCount}");
        for (int s = 0; s < StageCount; s++)
            foreach (var m in Stage(s))
                foreach (var p in m.parameters())
                    p.requires_grad = s >= freezeAt;
    }
}
