#!/usr/bin/env bash
# The real Azure SDKs against `snaplab serve` (issue 22): pytest with
# azure-mgmt-compute / azure-mgmt-resource / azure-storage-blob, and node --test
# with @azure/arm-compute / @azure/storage-blob (tests/sdk/node, pinned in its
# package-lock.json, installed there from npm when missing) (Python versions pinned in
# tests/sdk/python/requirements.txt) in a project-local virtualenv, .venv/
# (gitignored), created from PyPI when it cannot import the pinned SDKs.
# Builds `snaplab`, serves a fresh lab file (port 0, manual clock), runs
# pytest, stops the server with Ctrl+C (SIGINT), checks the lab file, and
# ends with pytest's counts on a line of its own:
#   sdk-tests: N passed, M failed
# Exits non-zero if anything failed or if no test ran.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/tests/sdk/python/requirements.txt"
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The venv is (re)made when it cannot import these at their pinned versions;
# set-up (scripts/setup.sh) asks only whether it works, or to make it.
# shellcheck source=scripts/pyvenv.sh
source "$ROOT/scripts/pyvenv.sh"
pyvenv_setup "[sdk-tests]" "$VENV" "$REQUIREMENTS" "azure.mgmt.compute azure.mgmt.resource.resources azure.mgmt.resource.subscriptions azure.storage.blob pytest" "${1:-}"
# The JavaScript SDKs (pinned in tests/sdk/node/package-lock.json) in
# tests/sdk/node/node_modules, installed from npm when they do not import.
NODE_DIR="$ROOT/tests/sdk/node"
node_sdks_ok() {
    (cd "$NODE_DIR" && node --input-type=module -e "await import('@azure/arm-compute'); await import('@azure/storage-blob')" 2>/dev/null) \
        && cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.package-lock.json.snaplab" 2>/dev/null
}
if ! node_sdks_ok; then
    echo "[sdk-tests] installing the JavaScript SDKs from npm (tests/sdk/node)" >&2
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
    cp "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.package-lock.json.snaplab"
    node_sdks_ok || { echo "[sdk-tests] the JavaScript SDKs do not import after npm ci" >&2; exit 1; }
fi

native cargo build --quiet -p snaplab-console --bin snaplab
SNAPLAB="$ROOT/target/debug/snaplab"

WORK="$(mktemp -d)"
LAB="$WORK/sdk.snaplab"
"$SNAPLAB" serve --port 0 --clock manual --state "$LAB" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
stop_server() { kill -INT "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap 'stop_server; rm -rf "$WORK"' EXIT
ENDPOINT=""
for _ in $(seq 1 100); do
    ENDPOINT="$(sed -n 's/^ARM endpoint: //p' "$WORK/serve.out")"
    [ -n "$ENDPOINT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
    sleep 0.1
done
[ -n "$ENDPOINT" ] || { echo "[sdk-tests] snaplab serve printed no endpoint" >&2; exit 1; }
echo "[sdk-tests] snaplab serve at $ENDPOINT, lab $LAB"
CONNECTION="$(sed -n 's/^Blob connection string: //p' "$WORK/serve.out")"
[ -n "$CONNECTION" ] || { echo "[sdk-tests] snaplab serve printed no blob connection string" >&2; exit 1; }

set +e
SNAPLAB_ARM_ENDPOINT="$ENDPOINT" SNAPLAB_BLOB_CONNECTION_STRING="$CONNECTION" "$VENV/bin/python" -m pytest -p no:cacheprovider -q \
    "$ROOT/tests/sdk/python" 2>&1 | tee "$WORK/pytest.log"
PYTEST=${PIPESTATUS[0]}
(cd "$NODE_DIR" && SNAPLAB_ARM_ENDPOINT="$ENDPOINT" SNAPLAB_BLOB_CONNECTION_STRING="$CONNECTION" \
    node --test --test-reporter=tap sdk.test.mjs) >"$WORK/node.log" 2>&1
NODE=$?
grep -E '^not ok|^# (pass|fail)' "$WORK/node.log" || true
[ "$NODE" -eq 0 ] || cat "$WORK/node.log"
set -e

# A clean stop keeps every answered change: the file verifies.
stop_server
CHECK=0
"$SNAPLAB" check "$LAB" >"$WORK/check.log" 2>&1 || CHECK=$?
[ "$CHECK" -eq 0 ] || { echo "[sdk-tests] the lab file does not verify after the stop:" >&2; cat "$WORK/check.log" >&2; }

PASSED=$(grep -Eo '[0-9]+ passed' "$WORK/pytest.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
FAILED=$({ grep -Eo '[0-9]+ (failed|errors?)' "$WORK/pytest.log" || true; } | awk '{s += $1} END {print s + 0}')
NODE_PASSED=$(sed -n 's/^# pass //p' "$WORK/node.log" | tail -1)
NODE_FAILED=$(sed -n 's/^# fail //p' "$WORK/node.log" | tail -1)
echo "[sdk-tests] Python: ${PASSED:-0} passed, ${FAILED:-0} failed; JavaScript: ${NODE_PASSED:-0} passed, ${NODE_FAILED:-0} failed"
echo "sdk-tests: $((${PASSED:-0} + ${NODE_PASSED:-0})) passed, $((${FAILED:-0} + ${NODE_FAILED:-0})) failed"
# Each language must have run tests: a layer that counts zero fails.
[ "$PYTEST" -eq 0 ] && [ "$NODE" -eq 0 ] && [ "$CHECK" -eq 0 ] && [ "${PASSED:-0}" -gt 0 ] && [ "${NODE_PASSED:-0}" -gt 0 ]
