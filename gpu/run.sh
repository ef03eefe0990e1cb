#!/usr/bin/env bash
# One call on a GPU machine (no dotnet needed there): checks the native libraries, trains R50-FPN Mask R-CNN (GN) on
# CUDA and on the CPU from one seed and compares the losses, then measures training images/s against torchvision's
# Mask R-CNN on the same card, same image size and batch. Run gpu/publish.sh first and carry artifacts/gpu.
# Usage (on the device): bash gpu/run.sh [artifacts/gpu]     Output: $OUT/gpu-log.txt (or ./gpu-log.txt)
set -uo pipefail
dir=${1:-artifacts/gpu}
app="$dir/app"
out=${OUT:-.}
exec > >(tee -a "$out/gpu-log.txt") 2>&1
py=${PY:-$(command -v python3)}
for candidate in /opt/torch/.venv/bin/python "$py"; do
  if [ -x "$candidate" ] && "$candidate" -c 'import torch' 2>/dev/null; then py=$candidate; break; fi
done
tl=$("$py" -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')
sp=$(dirname "$(dirname "$tl")")
nv=$(ls -d "$sp"/nvidia/*/lib 2>/dev/null | paste -sd: -)
export LD_LIBRARY_PATH="$tl${nv:+:$nv}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
chmod +x "$app/rethink-gpu"
echo "== machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; "$py" -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda)'
echo "== symbols libLibTorchSharp.so needs that $tl lacks"
nm -D --undefined-only "$app/libLibTorchSharp.so" | awk '{print $2}' | sed 's/@.*//' | sort -u > /tmp/und.txt
for f in "$tl"/libtorch*.so "$tl"/libc10*.so; do nm -D --defined-only "$f" 2>/dev/null | awk '{print $3}'; done | sed 's/@.*//' | sort -u > /tmp/def.txt
comm -23 /tmp/und.txt /tmp/def.txt | grep -E '^_Z(N|NK)*[0-9]*(2at|3c10|5torch)' > /tmp/missing.txt
echo "missing: $(wc -l < /tmp/missing.txt)"; c++filt < /tmp/missing.txt | head -30
echo "== CPU against CUDA, same seed (R50-FPN GN, 2 images 320 px, 4 SGD steps)"
timeout 300 "$app/rethink-gpu" check --size 320 --steps 4; echo "check exit $?"
echo "== Rethink training speed on CUDA"
for cfg in "--size 800 --batch 4" "--size 512 --batch 8"; do timeout 200 "$app/rethink-gpu" bench $cfg --steps 10; done
echo "== torchvision on the same card"
for cfg in "--size 800 --batch 4" "--size 512 --batch 8"; do timeout 200 "$py" "$dir/torchvision_train_step.py" --norm gn --device cuda --steps 10 $cfg; done
echo "== done"
