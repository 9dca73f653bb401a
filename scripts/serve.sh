#!/usr/bin/env bash
# Builds Snaplab (Trunk, release) and serves it on http://127.0.0.1:8080/,
# installing what is missing first. Another port: PORT=9000 bash scripts/serve.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"

bash scripts/setup.sh
# shellcheck source=scripts/wasm-env.sh
source scripts/wasm-env.sh
printf '\n\033[1m[serve] Snaplab will be at http://127.0.0.1:%s/ (Ctrl-C stops it)\033[0m\n\n' "$PORT"
exec trunk serve --release=true --address 127.0.0.1 --port "$PORT" index.html
