#!/usr/bin/env bash
# Side by side with Azurite (issue 22, item 10): one page-blob client script
# (bench/azurite/bench_pageblob.py, azure-storage-blob) against Azurite and
# against `snaplab serve` in the same run: which operations each answers,
# and the latency of Put Page, Get Page Ranges on a blob of 10,000 ranges and
# the diff, with their ratio. Azurite (pinned in bench/azurite/package.json)
# is installed from npm into bench/azurite/node_modules on first use; the
# SDK comes from the SDK tests' virtualenv (.venv). A benchmark, not a test:
# it is not part of the test command.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/pyvenv.sh
source "$ROOT/scripts/pyvenv.sh"
pyvenv_setup "[bench-azurite]" "$ROOT/.venv" "$ROOT/tests/sdk/python/requirements.txt" "azure.storage.blob" ""
if [ ! -x bench/azurite/node_modules/.bin/azurite-blob ]; then
    (cd bench/azurite && npm ci --no-audit --no-fund --loglevel=error)
fi
native cargo build --quiet --release -p snaplab-console --bin snaplab

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

PORT="$("$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bench/azurite/node_modules/.bin/azurite-blob --inMemoryPersistence --skipApiVersionCheck --loose \
    --blobHost 127.0.0.1 --blobPort "$PORT" --silent >"$WORK/azurite.out" 2>&1 &
PIDS+=($!)
target/release/snaplab serve --port 0 --clock manual >"$WORK/serve.out" 2>"$WORK/serve.err" &
PIDS+=($!)
SNAPLAB=""
for _ in $(seq 1 100); do
    SNAPLAB="$(sed -n 's/^Blob connection string: //p' "$WORK/serve.out")"
    [ -n "$SNAPLAB" ] && (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
[ -n "$SNAPLAB" ] || { echo "[bench-azurite] snaplab serve did not start" >&2; cat "$WORK/serve.err" >&2; exit 1; }
KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$KEY;BlobEndpoint=http://127.0.0.1:$PORT/devstoreaccount1;"
echo "[bench-azurite] azurite $(node -p 'require("./bench/azurite/node_modules/azurite/package.json").version') on :$PORT; snaplab serve (release) $(sed -n 's/^ARM endpoint: //p' "$WORK/serve.out"); $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
"$ROOT/.venv/bin/python" bench/azurite/bench_pageblob.py "snaplab=$SNAPLAB" "azurite=$AZURITE"
