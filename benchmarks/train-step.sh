#!/usr/bin/env bash
# One training step of R50-FPN Mask R-CNN (2 images, 320x320, SGD), Rethink against torchvision on Debian's
# python3-torch, side by side in one run, for BN and GN at 1 and 2 threads. Installs the peer if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torch python3-torchvision libopenblas0-pthread
fi
steps=${STEPS:-3}
echo "| norm | threads | Rethink s/step | torchvision s/step | ratio (tv / ours) | positive RoIs (ours / tv) | peak RSS MB (ours / tv) |"
echo "|---|---|---|---|---|---|---|"
for norm in bn gn; do
  for threads in 1 2; do
    ours=$(./rethink bench train-step --norm "$norm" --threads "$threads" --steps "$steps" --json)
    tv=$(/usr/bin/python3 benchmarks/torchvision_train_step.py --norm "$norm" --threads "$threads" --steps "$steps")
    python3 - "$ours" "$tv" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {o['norm']} | {o['threads']} | {o['median_s']:.2f} | {t['median_s']:.2f} | {t['median_s'] / o['median_s']:.2f} | "
      f"{sum(o['positive_rois']) / len(o['positive_rois']):.0f} / {sum(t['positive_rois']) / len(t['positive_rois']):.0f} | "
      f"{o['peak_rss_mb']:.0f} / {t['peak_rss_mb']:.0f} |")
PY
  done
done
