using Rethink.Modeling.Layers;
using Rethink.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rethink.Modeling.Heads;

/// <summary>Settings of the RoI heads; defaults are torchvision's / Detectron's for Mask R-CNN with FPN.</summary>
public sealed record RoiHeadsConfig
{
    public double ForegroundIou { get; init; } = 0.5;
    public double BackgroundIou { get; init; } = 0.5;
    public int BatchPerImage { get; init; } = 512;
    public double PositiveFraction { get; init; } = 0.25;
    public int BoxPoolSize { get; init; } = 7;
    public int MaskPoolSize { get; init; } = 14;
    public int KeypointPoolSize { get; init; } = 14;
    public int SamplingRatio { get; init; } = 2;
    public bool AlignedRoi { get; init; }
    public double ScoreThreshold { get; init; } = 0.05;
    public double NmsThreshold { get; init; } = 0.5;
    public int DetectionsPerImage { get; init; } = 100;
}

/// <summary>
/// Box, mask and keypoint heads on sampled proposals: matching, sampling, targets, losses, and inference
/// (score threshold, per-class NMS, top detections, masks pasted into the image).
/// </summary>
public sealed class RoiHeads : nn.Module
{
    readonly BoxHead box_head;
    readonly BoxPredictor box_predictor;
    readonly MaskHead? mask_head;
    readonly KeypointHead? keypoint_head;
    readonly MultiScaleRoiAlign boxPool, maskPool, keypointPool;
    readonly Matcher matcher;
    readonly BalancedSampler sampler;
    readonly int numClasses;

    public RoiHeads(RoiHeadsConfig config, IReadOnlyList<int> strides, BoxHead boxHead, BoxPredictor boxPredictor,
        int numClasses, MaskHead? maskHead = null, KeypointHead? keypointHead = null) : base(nameof(RoiHeads))
    {
        Config = config;
        this.numClasses = numClasses;
        box_head = boxHead;
        box_predictor = boxPredictor;
        mask_head = maskHead;
        keypoint_head = keypointHead;
        boxPool = new MultiScaleRoiAlign(strides, config.BoxPoolSize, config.SamplingRatio, config.AlignedRoi);
        maskPool = new MultiScaleRoiAlign(strides, config.MaskPoolSize, config.SamplingRatio, config.AlignedRoi);
        keypointPool = new MultiScaleRoiAlign(strides, config.KeypointPoolSize, config.SamplingRatio, config.AlignedRoi);
        matcher = new Matcher(config.ForegroundIou, config.BackgroundIou, AllowLowQuality: false);
        sampler = new BalancedSampler(config.BatchPerImage, config.PositiveFraction);
        RegisterComponents();
    }

    public RoiHeadsConfig Config { get; }
    public bool HasMasks => mask_head is not null;
    public bool HasKeypoints => keypoint_head is not null;

    sealed record Sampled(List<Tensor> Proposals, List<Tensor> Labels, List<Tensor> MatchedGt, Tensor RegressionTargets);

    /// <summary>Training: the named losses. Inference: detections per image.</summary>
    /// <summary>Positive RoIs sampled in the last training step (the mask and keypoint heads' workload).</summary>
    public long LastSampledPositives { get; private set; }

    public Dictionary<string, Tensor> Losses(Tensor[] features, List<Tensor> proposals, ImageBatch images, IReadOnlyList<DetectionTarget> targets)
    {
        Sampled sampled;
        using (StepProfiler.Measure("roi.sample")) sampled = Sample(proposals, targets);
        Tensor pooled, boxFeatures;
        using (StepProfiler.Measure("roi.box_pool")) pooled = boxPool.Apply(features, sampled.Proposals);
        using (StepProfiler.Measure("roi.box_head")) boxFeatures = box_head.forward(pooled);
        var (classLogits, boxDeltas) = box_predictor.forward(boxFeatures);
        var labels = cat(sampled.Labels, 0);
        var losses = new Dictionary<string, Tensor>
        {
            ["loss_classifier"] = nn.functional.cross_entropy(classLogits, labels),
        };
        var pos = labels.gt(Scalars.Zero).nonzero().squeeze(1);
        LastSampledPositives = pos.shape[0];
        var deltas = boxDeltas.view(boxDeltas.shape[0], numClasses, 4);
        var posDeltas = deltas.index_select(0, pos)[Range(pos.shape[0], pos.device), labels.index_select(0, pos)];
        losses["loss_box_reg"] = nn.functional.smooth_l1_loss(posDeltas, sampled.RegressionTargets.index_select(0, pos),
            nn.Reduction.Sum, beta: 1.0 / 9).div(Scalars.OfInt(Math.Max(1, labels.shape[0])));

        if (mask_head is not null || keypoint_head is not null)
        {
            // Mask and keypoint heads train on the positive proposals only.
            var posProps = new List<Tensor>();
            var posLabels = new List<Tensor>();
            var posGt = new List<Tensor>();
            for (int i = 0; i < sampled.Proposals.Count; i++)
            {
                var p = sampled.Labels[i].gt(Scalars.Zero).nonzero().squeeze(1);
                posProps.Add(sampled.Proposals[i].index_select(0, p));
                posLabels.Add(sampled.Labels[i].index_select(0, p));
                posGt.Add(sampled.MatchedGt[i].index_select(0, p));
            }
            if (mask_head is not null)
                using (StepProfiler.Measure("roi.mask"))
                    losses["loss_mask"] = MaskLoss(features, posProps, posLabels, posGt, targets);
            if (keypoint_head is not null)
                losses["loss_keypoint"] = KeypointLoss(features, posProps, posGt, targets);
        }
        return losses;
    }

    Sampled Sample(List<Tensor> proposals, IReadOnlyList<DetectionTarget> targets)
    {
        using var _ = no_grad();
        var props = new List<Tensor>();
        var labels = new List<Tensor>();
        var matchedGt = new List<Tensor>();
        var regTargets = new List<Tensor>();
        for (int i = 0; i < proposals.Count; i++)
        {
            var gt = targets[i].Boxes.to(proposals[i].dtype);
            var all = cat([proposals[i], gt], 0);
            var matches = matcher.Match(Boxes.Iou(gt, all));
            var lab = gt.shape[0] > 0
                ? targets[i].Labels.to(int64).index_select(0, matches.clamp_min(Scalars.Zero))
                : zeros(all.shape[0], dtype: int64, device: all.device);
            lab.masked_fill_(matches.eq(Scalars.OfInt(Matcher.BelowLow)), Scalars.Zero);
            lab.masked_fill_(matches.eq(Scalars.OfInt(Matcher.BetweenThresholds)), Scalars.OfInt(-1));
            var (p, n) = sampler.Sample(lab);
            var keep = cat([p, n], 0);
            var sampledBoxes = all.index_select(0, keep);
            var gtIdx = matches.clamp_min(Scalars.Zero).index_select(0, keep);
            props.Add(sampledBoxes);
            labels.Add(lab.index_select(0, keep));
            matchedGt.Add(gtIdx);
            var gtBoxes = gt.shape[0] > 0 ? gt.index_select(0, gtIdx) : zeros_like(sampledBoxes);
            regTargets.Add(BoxCoder.RoiHeads.Encode(gtBoxes, sampledBoxes));
        }
        return new Sampled(props, labels, matchedGt, cat(regTargets, 0));
    }

    Tensor MaskLoss(Tensor[] features, List<Tensor> props, List<Tensor> labels, List<Tensor> gtIdx, IReadOnlyList<DetectionTarget> targets)
    {
        long total = props.Sum(p => p.shape[0]);
        Tensor pooled, logits;
        using (StepProfiler.Measure("roi.mask.pool")) pooled = maskPool.Apply(features, props);
        using (StepProfiler.Measure("roi.mask.head")) logits = mask_head!.forward(pooled);
        if (total == 0) return logits.sum().mul(Scalars.Zero);
        long m = logits.shape[^1];
        var maskTargets = new List<Tensor>();
        using (StepProfiler.Measure("roi.mask.targets"))
        using (no_grad())
        {
            for (int i = 0; i < props.Count; i++)
            {
                if (props[i].shape[0] == 0) continue;
                var gtMasks = targets[i].Masks ?? throw new ArgumentException($"image {i}: the model has a mask head but the target has no masks");
                var rois = cat([gtIdx[i].to(props[i].dtype).unsqueeze(1), props[i]], 1);
                maskTargets.Add(RoiAlign.Apply(gtMasks.unsqueeze(1).to(props[i].dtype), rois, m, m, 1.0, 0, aligned: false).squeeze(1));
            }
        }
        var lab = cat(labels, 0);
        var selected = logits[Range(lab.shape[0], lab.device), lab];
        return nn.functional.binary_cross_entropy_with_logits(selected, cat(maskTargets, 0));
    }

    Tensor KeypointLoss(Tensor[] features, List<Tensor> props, List<Tensor> gtIdx, IReadOnlyList<DetectionTarget> targets)
    {
        var heatmaps = keypoint_head!.forward(keypointPool.Apply(features, props));
        long k = heatmaps.shape[1], size = heatmaps.shape[2];
        var targetIdx = new List<Tensor>();
        var valid = new List<Tensor>();
        using (no_grad())
        {
            for (int i = 0; i < props.Count; i++)
            {
                if (props[i].shape[0] == 0) continue;
                var kp = targets[i].Keypoints ?? throw new ArgumentException($"image {i}: the model has a keypoint head but the target has no keypoints");
                var (t, v) = KeypointsToHeatmap(kp.index_select(0, gtIdx[i]), props[i], size);
                targetIdx.Add(t);
                valid.Add(v);
            }
        }
        if (targetIdx.Count == 0) return heatmaps.sum().mul(Scalars.Zero);
        var tgt = cat(targetIdx, 0).reshape(-1);
        var ok = cat(valid, 0).reshape(-1).nonzero().squeeze(1);
        if (ok.shape[0] == 0) return heatmaps.sum().mul(Scalars.Zero);
        var flat = heatmaps.reshape(-1, size * size);
        return nn.functional.cross_entropy(flat.index_select(0, ok), tgt.index_select(0, ok));
    }

    /// <summary>Each keypoint's cell in a size x size heatmap over its RoI, and whether it is visible and inside.</summary>
    static (Tensor index, Tensor valid) KeypointsToHeatmap(Tensor keypoints, Tensor rois, long size)
    {
        var ox = rois[TensorIndex.Colon, 0].unsqueeze(1);
        var oy = rois[TensorIndex.Colon, 1].unsqueeze(1);
        // size / t, computed as TorchSharp's operator does: t.reciprocal() * size.
        var cells = Scalars.OfInt(size);
        var sx = (rois[TensorIndex.Colon, 2] - rois[TensorIndex.Colon, 0]).clamp_min(Scalars.Of(1e-6)).unsqueeze(1).reciprocal().mul(cells);
        var sy = (rois[TensorIndex.Colon, 3] - rois[TensorIndex.Colon, 1]).clamp_min(Scalars.Of(1e-6)).unsqueeze(1).reciprocal().mul(cells);
        var x = keypoints[TensorIndex.Ellipsis, 0];
        var y = keypoints[TensorIndex.Ellipsis, 1];
        var onRightEdge = x == rois[TensorIndex.Colon, 2].unsqueeze(1);
        var onBottomEdge = y == rois[TensorIndex.Colon, 3].unsqueeze(1);
        var hx = ((x - ox) * sx).floor().to(int64);
        var hy = ((y - oy) * sy).floor().to(int64);
        var last = Scalars.OfInt(size - 1);
        hx = where(onRightEdge, full_like(hx, last), hx);
        hy = where(onBottomEdge, full_like(hy, last), hy);
        var inside = hx.ge(Scalars.Zero) & hy.ge(Scalars.Zero) & hx.lt(cells) & hy.lt(cells);
        var visible = keypoints[TensorIndex.Ellipsis, 2].gt(Scalars.Zero);
        var valid = inside & visible;
        var index = where(valid, hy.mul(cells).add(hx, Scalars.One), zeros_like(hx));
        return (index, valid);
    }

    /// <summary>
    /// Detections per image from proposals: class-specific boxes, per-class NMS, masks and keypoints. With
    /// <paramref name="outputSizes"/>, boxes and keypoints are rescaled to those sizes and masks pasted there directly
    /// (the original image, when the batch holds resized images), as torchvision's postprocess does.
    /// </summary>
    public List<Detections> Detect(Tensor[] features, List<Tensor> proposals, ImageBatch images, IReadOnlyList<(int Height, int Width)>? outputSizes = null)
    {
        using var _ = no_grad();
        var boxFeatures = box_head.forward(boxPool.Apply(features, proposals));
        var (classLogits, boxDeltas) = box_predictor.forward(boxFeatures);
        var allBoxes = BoxCoder.RoiHeads.Decode(boxDeltas, cat(proposals, 0));
        var allScores = nn.functional.softmax(classLogits, -1);
        var results = new List<Detections>();
        long start = 0;
        for (int i = 0; i < proposals.Count; i++)
        {
            long r = proposals[i].shape[0];
            var (h, w) = images.Sizes[i];
            var boxes = Boxes.Clip(allBoxes.narrow(0, start, r).view(r, numClasses, 4), h, w);
            var scores = allScores.narrow(0, start, r);
            start += r;
            // Drop the background column, then flatten (RoI, class) pairs.
            boxes = boxes[TensorIndex.Colon, TensorIndex.Slice(1, null)].reshape(-1, 4);
            var labels = arange(Scalars.One, Scalars.OfInt(numClasses), Scalars.One, dtype: int64, device: boxes.device).unsqueeze(0).expand(r, -1).reshape(-1);
            scores = scores[TensorIndex.Colon, TensorIndex.Slice(1, null)].reshape(-1);
            var keep = scores.gt(Scalars.Of(Config.ScoreThreshold)).nonzero().squeeze(1);
            boxes = boxes.index_select(0, keep); scores = scores.index_select(0, keep); labels = labels.index_select(0, keep);
            keep = Boxes.KeepNonSmall(boxes, 1e-2);
            boxes = boxes.index_select(0, keep); scores = scores.index_select(0, keep); labels = labels.index_select(0, keep);
            keep = Nms.Batched(boxes, scores, labels, Config.NmsThreshold);
            if (keep.shape[0] > Config.DetectionsPerImage) keep = keep.narrow(0, 0, Config.DetectionsPerImage);
            results.Add(new Detections(boxes.index_select(0, keep), scores.index_select(0, keep), labels.index_select(0, keep)));
        }
        var inputBoxes = results.Select(d => d.Boxes).ToList();
        var sizes = outputSizes ?? images.Sizes;
        if (outputSizes is not null)
        {
            if (outputSizes.Count != results.Count) throw new ArgumentException($"{outputSizes.Count} output sizes for {results.Count} images");
            for (int i = 0; i < results.Count; i++)
            {
                double rh = outputSizes[i].Height / (double)images.Sizes[i].Height, rw = outputSizes[i].Width / (double)images.Sizes[i].Width;
                var scale = tensor(new[] { (float)rw, (float)rh, (float)rw, (float)rh }, device: results[i].Boxes.device).to(results[i].Boxes.dtype);
                results[i] = results[i] with { Boxes = results[i].Boxes * scale };
            }
        }
        if (mask_head is not null)
        {
            var logits = mask_head.forward(maskPool.Apply(features, inputBoxes));
            long offset = 0;
            for (int i = 0; i < results.Count; i++)
            {
                var d = results[i];
                long n = d.Count;
                var probs = logits.narrow(0, offset, n)[Range(n, d.Labels.device), d.Labels].unsqueeze(1).sigmoid();
                offset += n;
                var (h, w) = sizes[i];
                results[i] = d with { Masks = MaskPaster.Paste(probs, d.Boxes, h, w) };
            }
        }
        if (keypoint_head is not null)
        {
            var heatmaps = keypoint_head.forward(keypointPool.Apply(features, inputBoxes));
            long offset = 0;
            for (int i = 0; i < results.Count; i++)
            {
                long n = results[i].Count;
                // Peaks are located on the input boxes, then mapped through the same box rescaling.
                var kp = HeatmapsToKeypoints(heatmaps.narrow(0, offset, n), inputBoxes[i]);
                if (outputSizes is not null)
                {
                    double rh = outputSizes[i].Height / (double)images.Sizes[i].Height, rw = outputSizes[i].Width / (double)images.Sizes[i].Width;
                    kp = kp * tensor(new[] { (float)rw, (float)rh, 1f }, device: kp.device).to(kp.dtype);
                }
                results[i] = results[i] with { Keypoints = kp };
                offset += n;
            }
        }
        return results;
    }

    /// <summary>(n, K, S, S) heatmaps to (n, K, 3) keypoints (x, y, logit) at each map's peak, cell centres in pixels.</summary>
    static Tensor HeatmapsToKeypoints(Tensor maps, Tensor boxes)
    {
        long n = maps.shape[0], k = maps.shape[1], s = maps.shape[2];
        var flat = maps.reshape(n, k, s * maps.shape[3]); // explicit: -1 is ambiguous when there are no boxes
        var (score, idx) = flat.max(2);
        var cells = Scalars.OfInt(s);
        var half = Scalars.Of(0.5);
        var px = idx.remainder(cells).to(boxes.dtype).add(half, Scalars.One);
        var py = idx.div(cells, rounding_mode: RoundingMode.floor).to(boxes.dtype).add(half, Scalars.One);
        var x1 = boxes[TensorIndex.Colon, 0].unsqueeze(1);
        var y1 = boxes[TensorIndex.Colon, 1].unsqueeze(1);
        var bw = (boxes[TensorIndex.Colon, 2] - boxes[TensorIndex.Colon, 0]).unsqueeze(1);
        var bh = (boxes[TensorIndex.Colon, 3] - boxes[TensorIndex.Colon, 1]).unsqueeze(1);
        return stack([x1.add((px * bw).div(cells), Scalars.One), y1.add((py * bh).div(cells), Scalars.One), score.to(boxes.dtype)], 2);
    }

    /// <summary>0..n-1 as int64, as <c>arange(n)</c> makes it, with cached Scalars.</summary>
    static Tensor Range(long n, Device device) => arange(Scalars.Zero, Scalars.OfInt(n), Scalars.One, device: device);
}
