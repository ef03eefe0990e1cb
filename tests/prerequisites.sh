#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed only where missing (Debian packages through apt).
set -euo pipefail
need=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
# A real COCO-format file with photos (3 VOC images, polygons): GPL-3 data, so installed rather than copied in.
[ -f /usr/share/doc/labelme-examples/examples/instance_segmentation/data_dataset_coco/annotations.json ] || need+=(labelme-examples)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
