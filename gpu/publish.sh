#!/usr/bin/env bash
# Builds the GPU entry point (src/Rethink.GpuCheck, `rethink-gpu`) as a self-contained, partly trimmed linux-x64 app
# WITHOUT libtorch: the GPU machine brings its own CUDA libtorch (e.g. pip's torch/lib). Output: artifacts/gpu/app
# (about 30-40 MB, under the 64 MiB a device call may carry). The build's native fix (build/NativeFix.targets) weakens
# libLibTorchSharp.so's GLIBCXX_3.4.32 requirement where this machine lacks it; the weak flag is harmless elsewhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=artifacts/gpu/app
rm -rf "$out"
dotnet publish src/Rethink.GpuCheck/Rethink.GpuCheck.csproj -c Release -r linux-x64 --self-contained \
  -p:RethinkLibTorch=external -p:PublishTrimmed=true -p:TrimMode=partial -p:InvariantGlobalization=true \
  -p:SuppressTrimAnalysisWarnings=true -p:TreatWarningsAsErrors=false -o "$out" --nologo -v q
cp benchmarks/torchvision_train_step.py artifacts/gpu/
du -sh "$out"
ls "$out" | grep -E "LibTorchSharp|rethink-gpu$"
