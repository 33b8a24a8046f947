#!/usr/bin/env bash
# The bench suite: builds what it measures, then prints one Markdown table (benches/run.py).
# Loopback only. Takes about two minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
# The official CometD JS client the latency is compared with (pinned in tests/interop).
if [ ! -d tests/interop/node_modules/cometd-nodejs-client ]; then
  npm ci --prefix tests/interop --no-audit --no-fund --silent
fi
exec python3 benches/run.py
