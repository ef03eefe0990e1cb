#!/usr/bin/python3
"""Peer for `rethink bench train-step`: torchvision's Mask R-CNN R50-FPN training step on Debian's python3-torch.

Same scene recipe as the C# benchmark (three boxes with rectangular masks per image, random pixels), SGD with momentum.
--norm bn: maskrcnn_resnet50_fpn(weights=None, weights_backbone=None) - torchvision then uses trainable BatchNorm2d.
--norm gn: the same architecture with GroupNorm(32) in backbone, FPN and heads, a 4conv1fc box head and a 4-conv mask
head (torchvision's v2 heads with GN), RPN head with one conv - the paper's GN model, as Rethink builds it.
Prints one JSON object.
"""
import argparse, json, resource, statistics, time
from functools import partial

import torch
import torchvision
from torchvision.models.detection import MaskRCNN, maskrcnn_resnet50_fpn
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads
from torchvision.models.detection.rpn import RPNHead


def build(norm, classes, size):
    common = dict(min_size=size, max_size=int(size * 1.04) + 1)
    if norm == "bn":
        return maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=classes, **common)
    gn = lambda c: torch.nn.GroupNorm(32, c)
    body = torchvision.models.resnet50(weights=None, norm_layer=gn)
    backbone = _resnet_fpn_extractor(body, 5, norm_layer=gn)
    box_head = FastRCNNConvFCHead((backbone.out_channels, 7, 7), [256, 256, 256, 256], [1024], norm_layer=gn)
    mask_head = MaskRCNNHeads(backbone.out_channels, [256, 256, 256, 256], 1, norm_layer=gn)
    rpn_head = RPNHead(backbone.out_channels, 3, conv_depth=1)
    return MaskRCNN(backbone, num_classes=classes, rpn_head=rpn_head, box_head=box_head, mask_head=mask_head, **common)


def compute_in_bf16(model):
    """Rethink's --precision bf16 policy: torch.autocast(bfloat16) inside backbone+FPN and the heads, fp32 where their
    results leave them (proposals, RoIAlign, losses). Autocast around the whole model is not possible: torchvision
    0.14's nms has no bfloat16 kernel."""
    def to_float(out):
        if torch.is_tensor(out):
            return out.float()
        if isinstance(out, dict):
            return type(out)((k, to_float(v)) for k, v in out.items())
        if isinstance(out, (list, tuple)):
            return type(out)(to_float(v) for v in out)
        return out
    heads = [model.backbone, model.rpn.head, model.roi_heads.box_head, model.roi_heads.box_predictor]
    if model.roi_heads.mask_head is not None:
        heads += [model.roi_heads.mask_head, model.roi_heads.mask_predictor]
    # torch 1.13's CPU group_norm refuses bf16 input with fp32 affine parameters (libtorch 2.10, under Rethink, takes
    # them): GN computes in fp32 here and hands back the input's type.
    for m in model.modules():
        if isinstance(m, torch.nn.GroupNorm):
            def gn(x, m=m):
                return torch.nn.functional.group_norm(x.float(), m.num_groups, m.weight, m.bias, m.eps).to(x.dtype)
            m.forward = gn
    for m in heads:
        def forward(*args, m=m, f=m.forward):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return to_float(f(*args))
        m.forward = forward


def batch(b, size, classes):
    images, targets = [], []
    for _ in range(b):
        images.append(torch.rand(3, size, size))
        boxes, masks = [], torch.zeros(3, size, size, dtype=torch.uint8)
        for j in range(3):
            x1, y1 = size * (0.1 + 0.25 * j), size * (0.15 + 0.2 * j)
            x2, y2 = min(x1 + size * 0.3, size), min(y1 + size * 0.35, size)
            boxes.append([x1, y1, x2, y2])
            masks[j, int(y1):int(y2), int(x1):int(x2)] = 1
        labels = torch.tensor([1, 1 if 2 % classes == 0 else 2, 1])
        targets.append(dict(boxes=torch.tensor(boxes, dtype=torch.float32), labels=labels, masks=masks))
    return images, targets


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--norm", default="bn", choices=["bn", "gn"])
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                   help="bf16: torch.autocast(bfloat16) inside backbone+FPN and heads, as Rethink's --precision bf16")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build(a.norm, a.classes, a.size).to(a.device)
    model.train()
    if a.precision == "bf16":
        compute_in_bf16(model)
    opt = torch.optim.SGD([q for q in model.parameters() if q.requires_grad], lr=0.01, momentum=0.9, weight_decay=1e-4)
    images, targets = batch(a.batch, a.size, a.classes)
    images = [i.to(a.device) for i in images]
    targets = [{k: v.to(a.device) for k, v in t.items()} for t in targets]
    # Count the positive RoIs each step samples: the mask head's workload, which decides most of the step's time.
    positives = []
    sample = model.roi_heads.select_training_samples
    def counting(proposals, targets):
        out = sample(proposals, targets)
        positives.append(int(sum(int((l > 0).sum()) for l in out[2])))
        return out
    model.roi_heads.select_training_samples = counting
    # Forward multiply-accumulates of every convolution and linear layer, as Rethink's MacCounter counts them.
    macs = [0]
    def count(m, inputs, output):
        w = m.weight
        if isinstance(m, torch.nn.ConvTranspose2d):
            macs[0] += inputs[0].numel() * w.shape[1] * w.shape[2] * w.shape[3]
        elif isinstance(m, torch.nn.Conv2d):
            macs[0] += output.numel() * w.shape[1] * w.shape[2] * w.shape[3]
        else:
            macs[0] += output.numel() * m.in_features
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)):
            m.register_forward_hook(count)
    forward_macs = []
    times, losses = [], {}
    for i in range(a.steps + 1):
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        macs[0] = 0
        out = model(images, targets)
        total = sum(out.values())
        opt.zero_grad()
        total.backward()
        opt.step()
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        if i > 0:
            times.append(time.perf_counter() - t0)
            forward_macs.append(macs[0])
        losses = {k: float(v) for k, v in out.items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(dict(impl=f"torchvision {torchvision.__version__} / torch {torch.__version__}", norm=a.norm, precision=a.precision, size=a.size,
                          batch=a.batch, threads=a.threads, device=a.device, images_per_s=a.batch / statistics.median(times), median_s=statistics.median(times), steps=times, positive_rois=positives[1:],
                          peak_rss_mb=peak, forward_gmac=statistics.mean(forward_macs) / 1e9,
                          achieved_gflops=6 * statistics.mean(forward_macs) / 1e9 / statistics.median(times), params=sum(q.numel() for q in model.parameters()), losses=losses)))


if __name__ == "__main__":
    main()
