#!/usr/bin/env bash
# Runs the in-browser benchmarks (tests/idb_bench.rs: storage; tests/ui_bench.rs:
# the block map and command-to-view) in headless
# Chromium, release build, and prints its figures. Run scripts/setup.sh first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/wasm-env.sh
source scripts/wasm-env.sh
# Opening a 100,000-operation lab takes far longer than a test's default 20 s.
export WASM_BINDGEN_TEST_TIMEOUT=900
cargo test --locked --release --features bench --target wasm32-unknown-unknown -p snaplab --test idb_bench --test ui_bench -- --nocapture 2>&1 | grep -vE '^\s+(Compiling|Finished|Running)'
