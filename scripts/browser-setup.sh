#!/usr/bin/env bash
# browser-setup.sh — what the report's browser tests need on Debian 12:
# Debian's Chromium, Node.js and npm, and playwright-core (a client only: it
# drives the system's browser and downloads none) at the version
# tests/browser/package-lock.json pins. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
