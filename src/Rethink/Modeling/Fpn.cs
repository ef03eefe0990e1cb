using Rethink.Modeling.Backbones;
using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling;

/// <summary>
/// Feature Pyramid Network: 1x1 laterals, nearest-neighbour top-down pathway, 3x3 outputs, and P6 as a stride-2
/// subsample of P5 (torchvision's LastLevelMaxPool). With GN the laterals and outputs carry GN, as in the paper.
/// </summary>
public sealed class Fpn : nn.Module<Tensor[], Tensor[]>
{
    readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> inner_blocks, layer_blocks;

    public Fpn(IReadOnlyList<int> inChannels, int outChannels, NormKind norm, int gnGroups = 32) : base(nameof(Fpn))
    {
        inner_blocks = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        layer_blocks = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        foreach (int c in inChannels)
        {
            inner_blocks.Add(new ConvNorm(c, outChannels, 1, 1, norm, gnGroups, relu: false));
            layer_blocks.Add(new ConvNorm(outChannels, outChannels, 3, 1, norm, gnGroups, relu: false));
        }
        OutChannels = outChannels;
        RegisterComponents();
        foreach (var p in named_parameters())
        {
            if (p.name.EndsWith("bias", StringComparison.Ordinal)) Init.Zero(p.parameter);
            else if (p.parameter.dim() == 4) Init.KaimingUniformA1(p.parameter);
        }
    }

    public int OutChannels { get; }

    /// <summary>C2..C5 in, P2..P6 out.</summary>
    public override Tensor[] forward(Tensor[] features)
    {
        int n = features.Length;
        var results = new Tensor[n + 1];
        var last = inner_blocks[n - 1].forward(features[n - 1]);
        results[n - 1] = layer_blocks[n - 1].forward(last);
        for (int i = n - 2; i >= 0; i--)
        {
            var lateral = inner_blocks[i].forward(features[i]);
            var topDown = nn.functional.upsample_nearest2d(last, [lateral.shape[2], lateral.shape[3]]);
            last = lateral.add(topDown, Scalars.One);
            results[i] = layer_blocks[i].forward(last);
        }
        results[n] = nn.functional.max_pool2d(results[n - 1], 1, 2, 0);
        return results;
    }
}

/// <summary>A backbone followed by an FPN: images in, P2..P6 out.</summary>
public sealed class BackboneWithFpn : nn.Module<Tensor, Tensor[]>
{
    readonly Backbone body;
    readonly Fpn fpn;

    public BackboneWithFpn(Backbone body, Fpn fpn) : base(nameof(BackboneWithFpn))
    {
        this.body = body;
        this.fpn = fpn;
        RegisterComponents();
    }

    public Backbone Body => body;
    public Fpn Neck => fpn;
    public int OutChannels => fpn.OutChannels;
    /// <summary>Strides of P2..P6.</summary>
    public IReadOnlyList<int> Strides => [.. body.Strides, body.Strides[^1] * 2];

    /// <summary>P2..P6 in fp32 whatever the compute precision: RPN, RoIAlign and the heads' poolers read them.</summary>
    public override Tensor[] forward(Tensor images) => fpn.forward(body.forward(images)).Select(MixedPrecision.ToFloat32).ToArray();
}
