using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling;

/// <summary>RPN settings; the defaults are torchvision's / Detectron's for FPN.</summary>
public sealed record RpnConfig
{
    public IReadOnlyList<double> AnchorSizes { get; init; } = [32, 64, 128, 256, 512];
    public IReadOnlyList<double> AspectRatios { get; init; } = [0.5, 1.0, 2.0];
    public int PreNmsTopNTrain { get; init; } = 2000;
    public int PreNmsTopNTest { get; init; } = 1000;
    public int PostNmsTopNTrain { get; init; } = 2000;
    public int PostNmsTopNTest { get; init; } = 1000;
    public double NmsThreshold { get; init; } = 0.7;
    public double ForegroundIou { get; init; } = 0.7;
    public double BackgroundIou { get; init; } = 0.3;
    public int BatchPerImage { get; init; } = 256;
    public double PositiveFraction { get; init; } = 0.5;
    public double MinSize { get; init; } = 1e-3;
}

/// <summary>The RPN's shared head: 3x3 conv + ReLU, then objectness and box deltas per anchor.</summary>
public sealed class RpnHead : nn.Module<Tensor, (Tensor logits, Tensor deltas)>
{
    readonly TorchSharp.Modules.Conv2d conv, cls_logits, bbox_pred;

    public RpnHead(int channels, int anchorsPerCell) : base(nameof(RpnHead))
    {
        conv = nn.Conv2d(channels, channels, 3, 1, 1);
        cls_logits = nn.Conv2d(channels, anchorsPerCell, 1);
        bbox_pred = nn.Conv2d(channels, anchorsPerCell * 4, 1);
        RegisterComponents();
        foreach (var p in named_parameters())
            if (p.name.EndsWith("weight", StringComparison.Ordinal)) Init.Normal(p.parameter, 0.01); else Init.Zero(p.parameter);
    }

    public override (Tensor logits, Tensor deltas) forward(Tensor x)
    {
        var t = nn.functional.relu(MixedPrecision.Conv2d(conv, x));
        return (MixedPrecision.ToFloat32(MixedPrecision.Conv2d(cls_logits, t)), MixedPrecision.ToFloat32(MixedPrecision.Conv2d(bbox_pred, t)));
    }
}

/// <summary>Region Proposal Network over an FPN pyramid: anchors, proposals (per-level top-k, NMS), and its losses.</summary>
public sealed class Rpn : nn.Module
{
    readonly RpnHead head;

    public Rpn(RpnConfig config, int channels, IReadOnlyList<int> strides) : base(nameof(Rpn))
    {
        Config = config;
        Anchors = new AnchorGenerator(config.AnchorSizes, config.AspectRatios, strides);
        Matcher = new Matcher(config.ForegroundIou, config.BackgroundIou, AllowLowQuality: true);
        Sampler = new BalancedSampler(config.BatchPerImage, config.PositiveFraction);
        head = new RpnHead(channels, Anchors.AnchorsPerCell);
        RegisterComponents();
    }

    public RpnConfig Config { get; }
    public AnchorGenerator Anchors { get; }
    public Matcher Matcher { get; }
    public BalancedSampler Sampler { get; }

    /// <summary>Proposals per image (detached), and in training the two RPN losses.</summary>
    public (List<Tensor> proposals, Dictionary<string, Tensor> losses) Forward(ImageBatch images, Tensor[] features,
        IReadOnlyList<DetectionTarget>? targets)
    {
        int b = images.Count;
        var logitsPerLevel = new List<Tensor>();
        var deltasPerLevel = new List<Tensor>();
        var countsPerLevel = new List<long>();
        foreach (var f in features)
        {
            var (l, d) = head.forward(f);
            long a = l.shape[1], h = l.shape[2], w = l.shape[3];
            logitsPerLevel.Add(l.permute(0, 2, 3, 1).reshape(b, h * w * a));
            deltasPerLevel.Add(d.view(b, a, 4, h, w).permute(0, 3, 4, 1, 2).reshape(b, h * w * a, 4));
            countsPerLevel.Add(h * w * a);
        }
        var logits = cat(logitsPerLevel, 1);
        var deltas = cat(deltasPerLevel, 1);
        var anchors = Anchors.All(features);

        var proposals = new List<Tensor>();
        using (no_grad())
        {
            var decoded = BoxCoder.Rpn.Decode(deltas.detach().reshape(-1, 4), anchors.repeat(b, 1)).view(b, anchors.shape[0], 4);
            for (int i = 0; i < b; i++)
                proposals.Add(Filter(decoded[i], logits[i].detach(), countsPerLevel, images.Sizes[i]));
        }

        var losses = new Dictionary<string, Tensor>();
        if (training)
        {
            if (targets is null) throw new ArgumentException("training needs targets");
            (losses["loss_objectness"], losses["loss_rpn_box_reg"]) = Loss(anchors, logits, deltas, targets);
        }
        return (proposals, losses);
    }

    Tensor Filter(Tensor boxes, Tensor logits, IReadOnlyList<long> countsPerLevel, (int Height, int Width) size)
    {
        int preNms = training ? Config.PreNmsTopNTrain : Config.PreNmsTopNTest;
        int postNms = training ? Config.PostNmsTopNTrain : Config.PostNmsTopNTest;
        var keepIdx = new List<Tensor>();
        var levelIds = new List<Tensor>();
        long start = 0;
        for (int l = 0; l < countsPerLevel.Count; l++)
        {
            long count = countsPerLevel[l];
            long k = Math.Min(preNms, count);
            var top = logits.narrow(0, start, count).topk((int)k).indexes.add(Scalars.OfInt(start), Scalars.One);
            keepIdx.Add(top);
            levelIds.Add(full(k, Scalars.OfInt(l), dtype: int64, device: boxes.device));
            start += count;
        }
        var idx = cat(keepIdx, 0);
        var levels = cat(levelIds, 0);
        var b = Boxes.Clip(boxes.index_select(0, idx), size.Height, size.Width);
        var scores = logits.index_select(0, idx).sigmoid();
        var keep = Boxes.KeepNonSmall(b, Config.MinSize);
        b = b.index_select(0, keep); scores = scores.index_select(0, keep); levels = levels.index_select(0, keep);
        var kept = Nms.Batched(b, scores, levels, Config.NmsThreshold);
        if (kept.shape[0] > postNms) kept = kept.narrow(0, 0, postNms);
        return b.index_select(0, kept);
    }

    (Tensor objectness, Tensor boxReg) Loss(Tensor anchors, Tensor logits, Tensor deltas, IReadOnlyList<DetectionTarget> targets)
    {
        var sampledPos = new List<Tensor>();
        var sampledNeg = new List<Tensor>();
        var regTargets = new List<Tensor>();
        long perImage = anchors.shape[0];
        using (no_grad())
        {
            for (int i = 0; i < targets.Count; i++)
            {
                var gt = targets[i].Boxes.to(anchors.dtype);
                var matches = Matcher.Match(Boxes.Iou(gt, anchors));
                var labels = matches.ge(Scalars.Zero).to(int64);
                labels.masked_fill_(matches.eq(Scalars.OfInt(Matcher.BetweenThresholds)), Scalars.OfInt(-1));
                var (pos, neg) = Sampler.Sample(labels);
                var offset = Scalars.OfInt(i * perImage);
                sampledPos.Add(pos.add(offset, Scalars.One));
                sampledNeg.Add(neg.add(offset, Scalars.One));
                var matchedGt = gt.shape[0] > 0 ? gt.index_select(0, matches.clamp_min(Scalars.Zero).index_select(0, pos)) : zeros(0, 4, device: anchors.device);
                regTargets.Add(BoxCoder.Rpn.Encode(matchedGt, anchors.index_select(0, pos)));
            }
        }
        var posIdx = cat(sampledPos, 0);
        var allIdx = cat([posIdx, cat(sampledNeg, 0)], 0);
        var flatLogits = logits.reshape(-1);
        var flatDeltas = deltas.reshape(-1, 4);
        var objTargets = cat([ones(posIdx.shape[0], device: logits.device), zeros(allIdx.shape[0] - posIdx.shape[0], device: logits.device)], 0);
        var objectness = nn.functional.binary_cross_entropy_with_logits(flatLogits.index_select(0, allIdx), objTargets);
        var boxReg = nn.functional.smooth_l1_loss(flatDeltas.index_select(0, posIdx), cat(regTargets, 0), nn.Reduction.Sum, beta: 1.0 / 9)
                     .div(Scalars.OfInt(Math.Max(1, allIdx.shape[0])));
        return (objectness, boxReg);
    }
}
