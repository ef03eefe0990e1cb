#!/usr/bin/env bash
# One training step of R50-FPN Mask R-CNN (2 images, 320x320, SGD), Rethink against torchvision on Debian's
# python3-torch, side by side in one run, for BN and GN, each thread count and each precision (fp32; bf16 = mixed
# precision, the same policy on both sides: autocast-style bf16 convolutions and linear layers, fp32 elsewhere).
# Then the machine's matmul peak, the roof those steps are measured against. Installs the peer if missing.
#   STEPS (3), THREADS ("1 2"), PRECISIONS ("fp32 bf16"), NORMS ("bn gn")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torch python3-torchvision libopenblas0-pthread
fi
steps=${STEPS:-3}
echo "| norm | precision | threads | Rethink s/step | torchvision s/step | ratio (tv / ours) | positive RoIs (ours / tv) | peak RSS MB (ours / tv) | GFLOP/s (ours / tv; ours: step estimate) |"
echo "|---|---|---|---|---|---|---|---|---|"
for norm in ${NORMS:-bn gn}; do
  for precision in ${PRECISIONS:-fp32 bf16}; do
    for threads in ${THREADS:-1 2}; do
      ours=$(./rethink bench train-step --norm "$norm" --threads "$threads" --steps "$steps" --precision "$precision" --json)
      tv=$(/usr/bin/python3 benchmarks/torchvision_train_step.py --norm "$norm" --threads "$threads" --steps "$steps" --precision "$precision")
      python3 - "$ours" "$tv" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {o['norm']} | {o['precision']} | {o['threads']} | {o['median_s']:.2f} | {t['median_s']:.2f} | {t['median_s'] / o['median_s']:.2f} | "
      f"{sum(o['positive_rois']) / len(o['positive_rois']):.0f} / {sum(t['positive_rois']) / len(t['positive_rois']):.0f} | "
      f"{o['peak_rss_mb']:.0f} / {t['peak_rss_mb']:.0f} | {o['achieved_gflops']:.0f} / {t['achieved_gflops']:.0f} ({o['step_gflop_estimate']:.0f} GFLOP) |")
PY
    done
  done
done
for threads in ${THREADS:-1 2}; do ./rethink bench matmul --threads "$threads"; done
