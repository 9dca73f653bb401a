#!/usr/bin/env bash
# Runs the in-browser storage benchmark (tests/idb_bench.rs) in headless
# Chromium, release build, and prints its figures. Run scripts/setup.sh first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/wasm-env.sh
source scripts/wasm-env.sh
cargo test --locked --release --target wasm32-unknown-unknown -p snaplab --test idb_bench -- --nocapture 2>&1 | grep -vE '^\s+(Compiling|Finished|Running)'
