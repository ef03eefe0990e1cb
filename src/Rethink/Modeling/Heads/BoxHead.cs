using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Heads;

/// <summary>The box head's trunk: pooled RoI features in, one vector per RoI out.</summary>
public abstract class BoxHead(string name) : nn.Module<Tensor, Tensor>(name)
{
    public abstract int OutFeatures { get; }
}

/// <summary>Two fully connected layers (FPN's default "2fc" head; torchvision's TwoMLPHead).</summary>
public sealed class TwoFcHead : BoxHead
{
    readonly TorchSharp.Modules.Linear fc6, fc7;
    readonly int dim;

    public TwoFcHead(int inChannels, int poolSize, int dim = 1024) : base(nameof(TwoFcHead))
    {
        this.dim = dim;
        fc6 = nn.Linear(inChannels * poolSize * poolSize, dim);
        fc7 = nn.Linear(dim, dim);
        RegisterComponents();
        foreach (var p in named_parameters())
            if (p.name.EndsWith("bias", StringComparison.Ordinal)) Init.Zero(p.parameter); else Init.KaimingUniformA1(p.parameter);
    }

    public override int OutFeatures => dim;

    public override Tensor forward(Tensor x) =>
        nn.functional.relu(MixedPrecision.Linear(fc7, nn.functional.relu(MixedPrecision.Linear(fc6, x.flatten(1)))));
}

/// <summary>3x3 convs with norm, then one fully connected layer: with four convs, the paper's "4conv1fc" GN head.</summary>
public sealed class ConvFcHead : BoxHead
{
    readonly TorchSharp.Modules.Sequential convs;
    readonly TorchSharp.Modules.Linear fc6;
    readonly int dim;

    public ConvFcHead(int inChannels, int poolSize, NormKind norm, int gnGroups = 32, int numConvs = 4, int convDim = 256, int dim = 1024)
        : base(nameof(ConvFcHead))
    {
        this.dim = dim;
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < numConvs; i++) list.Add(($"{i}", new ConvNorm(i == 0 ? inChannels : convDim, convDim, 3, 1, norm, gnGroups)));
        convs = nn.Sequential(list);
        fc6 = nn.Linear(convDim * poolSize * poolSize, dim);
        RegisterComponents();
        Init.MsraAll(convs);
        foreach (var p in fc6.named_parameters())
            if (p.name.EndsWith("bias", StringComparison.Ordinal)) Init.Zero(p.parameter); else Init.KaimingUniformA1(p.parameter);
    }

    public override int OutFeatures => dim;

    public override Tensor forward(Tensor x) => nn.functional.relu(MixedPrecision.Linear(fc6, convs.forward(x).flatten(1)));
}

/// <summary>Class scores (with background at 0) and class-specific box deltas.</summary>
public sealed class BoxPredictor : nn.Module<Tensor, (Tensor scores, Tensor deltas)>
{
    readonly TorchSharp.Modules.Linear cls_score, bbox_pred;

    public BoxPredictor(int inFeatures, int numClasses) : base(nameof(BoxPredictor))
    {
        cls_score = nn.Linear(inFeatures, numClasses);
        bbox_pred = nn.Linear(inFeatures, numClasses * 4);
        RegisterComponents();
        foreach (var p in cls_score.named_parameters())
            if (p.name == "weight") Init.Normal(p.parameter, 0.01); else Init.Zero(p.parameter);
        foreach (var p in bbox_pred.named_parameters())
            if (p.name == "weight") Init.Normal(p.parameter, 0.001); else Init.Zero(p.parameter);
    }

    public override (Tensor scores, Tensor deltas) forward(Tensor x) =>
        (MixedPrecision.ToFloat32(MixedPrecision.Linear(cls_score, x)), MixedPrecision.ToFloat32(MixedPrecision.Linear(bbox_pred, x)));
}
