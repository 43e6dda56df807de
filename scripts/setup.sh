#!/usr/bin/env bash
# setup.sh — installs what reprint needs on Debian 12 and builds it into build/.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES="build-essential cmake pkg-config libutf8proc-dev libxxhash-dev libzstd-dev zlib1g-dev
  wordnet-dev wordnet-base libstemmer-dev
  libjansson-dev libcmocka-dev python3 zstd gzip time clang libclang-rt-14-dev
  libopenmpi-dev openmpi-bin liblmdb-dev libmicrohttpd-dev curl"
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES 2>/dev/null | grep -v "install ok installed" | cut -d' ' -f1 || true)
for p in $PACKAGES; do dpkg-query -W "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$(echo $missing)" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
