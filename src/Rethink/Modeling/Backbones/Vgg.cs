using Rethink.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Backbones;

/// <summary>
/// VGG-16 features (13 3x3 convs, ReLU, 5 max-pools) for the paper's no-normalization experiment: no norm layers by
/// default, MSRA init so it trains from scratch. Returns the pooled outputs of blocks 2-5 (strides 4, 8, 16, 32).
/// </summary>
public sealed class Vgg : Backbone
{
    static readonly int[][] Blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
    readonly TorchSharp.Modules.Sequential block1, block2, block3, block4, block5;
    readonly int[] outChannels;

    public Vgg(double widthMultiplier = 1.0, NormKind norm = NormKind.None, int gnGroups = 32) : base("vgg16")
    {
        Norm = norm;
        int inCh = 3;
        var blocks = new TorchSharp.Modules.Sequential[5];
        outChannels = new int[4];
        for (int b = 0; b < 5; b++)
        {
            var convs = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < Blocks[b].Length; i++)
            {
                int ch = Math.Max(1, (int)Math.Round(Blocks[b][i] * widthMultiplier));
                convs.Add((i.ToString(), new ConvNorm(inCh, ch, 3, 1, norm, gnGroups)));
                inCh = ch;
            }
            blocks[b] = nn.Sequential(convs);
            if (b >= 1) outChannels[b - 1] = inCh;
        }
        (block1, block2, block3, block4, block5) = (blocks[0], blocks[1], blocks[2], blocks[3], blocks[4]);
        RegisterComponents();
        Init.MsraAll(this);
    }

    public NormKind Norm { get; }
    public override IReadOnlyList<int> OutChannels => outChannels;
    public override IReadOnlyList<int> Strides => [4, 8, 16, 32];
    public override int StageCount => 5;

    protected override IEnumerable<nn.Module> Stage(int index) => index switch
    {
        0 => [block1],
        1 => [block2],
        2 => [block3],
        3 => [block4],
        4 => [block5],
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public override Tensor[] forward(Tensor x)
    {
        var y = Pool(block1.forward(x));
        var c2 = Pool(block2.forward(y));
        var c3 = Pool(block3.forward(c2));
        var c4 = Pool(block4.forward(c3));
        var c5 = Pool(block5.forward(c4));
        return [c2, c3, c4, c5];
    }

    static Tensor Pool(Tensor x) => nn.functional.max_pool2d(x, 2, 2);
}
