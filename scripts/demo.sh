#!/usr/bin/env bash
# demo.sh — set up, build, and run reprint on the embedded sample corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
echo "== reprint dedup examples/news.jsonl"
build/reprint dedup --human examples/news.jsonl
echo
echo "== reprint pairs --threshold 0.2 examples/news.jsonl"
build/reprint pairs --human --threshold 0.2 examples/news.jsonl
echo
echo "== reprint align examples/news.jsonl (the passages the articles share; --json for JSONL)"
build/reprint align --human examples/news.jsonl
echo
echo "== reprint stories examples/news.jsonl (documents reporting the same event, who copies whom)"
build/reprint stories --human examples/news.jsonl
echo
echo "== reprint report examples/news.jsonl -o build/report.html (open it in a browser)"
build/reprint report examples/news.jsonl -o build/report.html
