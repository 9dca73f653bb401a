#!/usr/bin/env bash
# Runs every Snaplab test, installing what is missing first:
#   0. lint: cargo fmt --check, cargo clippy -D warnings (native and wasm32)
#   1. native tests (engine, console, the app's reducer)   cargo test
#   2. browser tests in headless Chromium                  wasm-pack test --headless --chrome
#   3. end-to-end tests against the built app              Playwright (playwright-core)
#   4. the real Azure SDKs (Python) against `snaplab serve`  pytest, scripts/sdk-tests.sh
#   5. the console's output against knack's formatters,    pytest, scripts/knack-tests.sh
#      and the real az against snaplab serve (docs corpus)
# and ends with one line of counts for all five. Exits non-zero if any layer
# fails, if lint fails, or if any layer counts zero tests (a layer that did
# not build must never look like a green run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
LOGS="$(mktemp -d)"
say() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
export PATH="$HOME/.cargo/bin:$PATH"

# Sums the "N passed; M failed" of every cargo-style "test result:" line.
count_cargo() { awk '/^test result:/ {for (i = 1; i <= NF; i++) {if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1)}} END {printf "%d %d\n", p, f}' "$1"; }

# Runs one layer with its output shown and kept; remembers a failure but
# goes on, so the summary covers every layer.
FAILED_LAYERS=()
layer() {
    local name="$1"; shift
    if ! "$@" 2>&1 | tee "$LOGS/$name.log"; then FAILED_LAYERS+=("$name"); fi
}
lint() {
    native cargo fmt --all --check || { echo "cargo fmt --check: run 'cargo fmt --all'"; return 1; }
    native cargo clippy --workspace --all-targets --locked -q -- -D warnings || return 1
    # shellcheck source=scripts/wasm-env.sh
    (source scripts/wasm-env.sh && cargo clippy --locked -q -p snaplab --target wasm32-unknown-unknown --all-targets --features bench -- -D warnings)
}
browser_tests() {
    # shellcheck source=scripts/wasm-env.sh
    source scripts/wasm-env.sh
    # As the product's users run them. Where std is built from source there is
    # no prebuilt wasm32 target for wasm-pack to find, so it is told not to
    # look for (or install) one; the runner and chromedriver are on PATH.
    local mode=()
    [ "$SNAPLAB_WASM_ROUTE" = "rustup target" ] || mode=(--mode no-install)
    wasm-pack test --headless --chrome "${mode[@]}" .
}
e2e_tests() {
    (source scripts/wasm-env.sh && trunk build --release=true --dist dist index.html) || return 1
    # The same app built for a sub-path, as a static site host would serve it.
    (source scripts/wasm-env.sh && trunk build --release=true --public-url /snaplab/ --dist dist-subpath index.html) || return 1
    (cd e2e && npm test)
}

say "0/5 lint (cargo fmt --check, cargo clippy -D warnings, native and wasm32)"
layer lint lint

say "1/5 native tests (cargo test --workspace)"
layer native native cargo test --workspace --locked
read -r NATIVE_PASSED NATIVE_FAILED < <(count_cargo "$LOGS/native.log")

say "2/5 browser tests in headless Chromium (wasm-pack test --headless --chrome)"
layer browser browser_tests
read -r BROWSER_PASSED BROWSER_FAILED < <(count_cargo "$LOGS/browser.log")

say "3/5 end-to-end tests (Trunk release build, then Playwright driving Chromium)"
layer e2e e2e_tests
E2E_PASSED="$(awk '/^# pass / {print $3}' "$LOGS/e2e.log")"
E2E_FAILED="$(awk '/^# fail / {print $3}' "$LOGS/e2e.log")"
E2E_PASSED="${E2E_PASSED:-0}"; E2E_FAILED="${E2E_FAILED:-0}"

say "4/5 the real Azure SDKs for Python against snaplab serve (pytest)"
layer sdk bash scripts/sdk-tests.sh
SDK_PASSED="$(sed -n 's/^sdk-tests: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$LOGS/sdk.log" | tail -1)"
SDK_FAILED="$(sed -n 's/^sdk-tests: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$LOGS/sdk.log" | tail -1)"
SDK_PASSED="${SDK_PASSED:-0}"; SDK_FAILED="${SDK_FAILED:-0}"

say "5/5 the console's output against knack's formatters, byte for byte, and the real az against snaplab serve (pytest)"
layer knack bash scripts/knack-tests.sh
KNACK_PASSED="$(sed -n 's/^knack-tests: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$LOGS/knack.log" | tail -1)"
KNACK_FAILED="$(sed -n 's/^knack-tests: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$LOGS/knack.log" | tail -1)"
KNACK_PASSED="${KNACK_PASSED:-0}"; KNACK_FAILED="${KNACK_FAILED:-0}"

for pair in "native:$NATIVE_PASSED" "browser:$BROWSER_PASSED" "end-to-end:$E2E_PASSED" "sdk:$SDK_PASSED" "knack:$KNACK_PASSED"; do
    if [ "${pair#*:}" = 0 ]; then FAILED_LAYERS+=("${pair%%:*} (counted zero tests)"); fi
done

PASSED=$((NATIVE_PASSED + BROWSER_PASSED + E2E_PASSED + SDK_PASSED + KNACK_PASSED))
FAILED=$((NATIVE_FAILED + BROWSER_FAILED + E2E_FAILED + SDK_FAILED + KNACK_FAILED))
say "summary: native $NATIVE_PASSED passed, $NATIVE_FAILED failed; browser $BROWSER_PASSED passed, $BROWSER_FAILED failed; end-to-end $E2E_PASSED passed, $E2E_FAILED failed; sdk $SDK_PASSED passed, $SDK_FAILED failed; knack $KNACK_PASSED passed, $KNACK_FAILED failed"
rm -rf "$LOGS"
if [ "${#FAILED_LAYERS[@]}" -gt 0 ]; then
    say "FAILED: ${FAILED_LAYERS[*]} (a layer that did not build counts no tests: see its output above)"
fi
echo "$PASSED passed, $FAILED failed"
[ "${#FAILED_LAYERS[@]}" = 0 ] && [ "$FAILED" = 0 ]
