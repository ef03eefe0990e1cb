#!/usr/bin/python3
"""Peer check for the tiny study: torchvision's Mask R-CNN with the tiny GN ResNet of Rethink's "maskrcnn-tiny-fpn"
(one basic block per stage, widths 16-32-64-128, FPN 64 with GN, 1 conv + fc 256 box head, 2-conv mask head, anchors
8-128 px, 300/300 train and 300/50 test proposals, 64 RoIs per image), trained on a COCO folder written by
`rethink data shapes` with the same schedule rule, then its detections written as a COCO results file so that
`rethink eval` scores both implementations with the same evaluator.

Usage: /usr/bin/python3 benchmarks/torchvision_tiny_study.py DATA_DIR TRAIN_IMAGES ITERATIONS BASE OUT.json [--threads N]
"""
import json, math, random, sys, time
import numpy as np
import torch, torch.nn as nn, torchvision
from PIL import Image
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.rpn import RPNHead
from torchvision.ops import MultiScaleRoIAlign


def gn(c):
    return nn.GroupNorm(min(32, c), c)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), gn(cout)
        self.c2, self.n2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), gn(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), gn(cout))

    def forward(self, x):
        y = torch.relu(self.n1(self.c1(x)))
        y = self.n2(self.c2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


class Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 7, 2, 3, bias=False), gn(16), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.layer1, self.layer2, self.layer3, self.layer4 = Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2), Block(64, 128, 2)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.stem(x)
        c2 = self.layer1(x); c3 = self.layer2(c2); c4 = self.layer3(c3); c5 = self.layer4(c4)
        return {"0": c2, "1": c3, "2": c4, "3": c5}


def model(classes):
    backbone = BackboneWithFPN(Body(), {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"}, [16, 32, 64, 128], 64, norm_layer=gn)
    anchors = AnchorGenerator(((8,), (16,), (32,), (64,), (128,)), ((0.5, 1.0, 2.0),) * 5)
    return MaskRCNN(backbone, num_classes=None, min_size=128, max_size=128, rpn_anchor_generator=anchors, rpn_head=RPNHead(64, 3),
                    rpn_pre_nms_top_n_train=300, rpn_post_nms_top_n_train=300, rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=50,
                    box_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 1), box_head=FastRCNNConvFCHead((64, 7, 7), [64], [256], norm_layer=gn),
                    box_predictor=torchvision.models.detection.faster_rcnn.FastRCNNPredictor(256, classes), box_batch_size_per_image=64,
                    mask_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 14, 1), mask_head=MaskRCNNHeads(64, [64, 64], 1, norm_layer=gn),
                    mask_predictor=MaskRCNNPredictor(64, 64, classes))


def counts_from_string(s):
    """COCO's compressed RLE counts (pycocotools rleFrString): 5 bits per char, continuation bit, deltas from two back."""
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_decode(counts, h, w):
    if isinstance(counts, str):
        counts = counts_from_string(counts)
    flat, pos, v = np.zeros(h * w, np.uint8), 0, 0
    for c in counts:
        flat[pos:pos + c] = v; pos += c; v = 1 - v
    return flat.reshape(w, h).T


def main():
    data, n_train, iters, base, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
    torch.manual_seed(0); random.seed(0)
    d = json.load(open(f"{data}/annotations.json"))
    by_image = {}
    for a in d["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    images = sorted(d["images"], key=lambda i: i["id"])
    train, val = images[:n_train], [i for i in images if i["id"] > n_train]

    def load(im):
        x = torch.from_numpy(np.asarray(Image.open(f"{data}/images/{im['file_name']}").convert("RGB"))).permute(2, 0, 1).float() / 255
        anns = by_image.get(im["id"], [])
        boxes = torch.tensor([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns], dtype=torch.float32).reshape(-1, 4)
        masks = torch.from_numpy(np.stack([rle_decode(a["segmentation"]["counts"], im["height"], im["width"]) for a in anns])) if anns else torch.zeros(0, im["height"], im["width"], dtype=torch.uint8)
        return x, {"boxes": boxes, "labels": torch.tensor([a["category_id"] for a in anns], dtype=torch.int64), "masks": masks}

    m = model(len(d["categories"]) + 1)
    m.train()
    decay = [p for n, p in m.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in m.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0}], lr=0.02, momentum=0.9)
    drops = [iters - round(base * 2 / 3), iters - round(base * 2 / 9)]
    warm = max(1, base // 10)
    order, t0 = [], time.time()
    for it in range(iters):
        lr = 0.02 * (0.1 ** sum(it >= s for s in drops)) * (min(1.0, 0.001 + (1 - 0.001) * it / warm) if it < warm else 1.0)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = []
        for _ in range(4):
            if not order:
                order = list(range(len(train))); random.shuffle(order)
            x, t = load(train[order.pop()])
            if random.random() < 0.5:
                x = x.flip(-1); w = x.shape[-1]
                t["boxes"] = torch.stack([w - t["boxes"][:, 2], t["boxes"][:, 1], w - t["boxes"][:, 0], t["boxes"][:, 3]], 1); t["masks"] = t["masks"].flip(-1)
            batch.append((x, t))
        losses = m([b[0] for b in batch], [b[1] for b in batch])
        loss = sum(losses.values())
        opt.zero_grad(); loss.backward(); opt.step()
        if (it + 1) % 100 == 0:
            print(f"it {it + 1} loss {loss.item():.3f} " + " ".join(f"{k}={v.item():.3f}" for k, v in losses.items()) + f" {(time.time() - t0) / (it + 1):.3f} s/it", flush=True)
    m.eval()
    results = []
    with torch.no_grad():
        for im in val:
            x, _ = load(im)
            o = m([x])[0]
            for b, s, l in zip(o["boxes"].tolist(), o["scores"].tolist(), o["labels"].tolist()):
                results.append({"image_id": im["id"], "category_id": l, "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]], "score": s})
    json.dump(results, open(out, "w"))
    print(f"wrote {len(results)} detections for {len(val)} images to {out}; {(time.time() - t0):.0f} s")


if __name__ == "__main__":
    main()
