#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed only where missing (Debian packages through apt).
set -euo pipefail
need=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
# Nothing from Debian is needed yet; later suites add packages here (e.g. labelme-examples for the COCO fixture).
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
