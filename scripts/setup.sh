#!/usr/bin/env bash
# Installs everything Snaplab needs to build, serve and test, skipping what is
# already there. Safe to run again and again; the first run takes a while
# (trunk alone compiles for ~15 minutes on 2 cores), later runs take seconds.
#
# Each step decides it is done by checking the capability itself (the browser
# starts, the wasm linker runs, a tiny crate links for wasm32, the tool prints
# its version), never by a list of installed packages: a package left out by
# --no-install-recommends (rust-web-llvm, which brings rust-lld) once broke
# every wasm build on a new machine while a list check said all was there.
# A step that failed halfway is simply redone next time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.22.1
WASM_PACK_VERSION=0.15.1
APT_PACKAGES=(chromium chromium-driver)
# rust-web-llvm brings /usr/bin/rust-lld, rustc's default wasm linker; rustc-web
# only *recommends* it, so it must be named here.
# rust-web-clippy lints the app for wasm32 (the test command's lint step).
WASM_APT_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22)

STEP=""
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() {
    printf '\033[31m[setup] FAILED at step "%s": %s\033[0m\n' "$STEP" "$1" >&2
    exit 1
}
SETUP_START=$SECONDS
STEP_START=$SECONDS
# Each step prints how long the one before it took, so a slow machine shows where.
step() {
    [ -z "$STEP" ] || say "  (${STEP%% *} took $((SECONDS - STEP_START)) s)"
    STEP="$1"; STEP_START=$SECONDS; say "$1"
}
trap 'fail "a command exited with an error (see its output above); fix that and rerun this script: finished steps are skipped"' ERR

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    echo "${missing[@]:-}"
}

APT_UPDATED=0
apt_install() {
    local missing
    if [ "${APT_FORCE:-0}" = 1 ]; then missing="$*"; else missing="$(apt_missing "$@")"; fi
    if [ -z "$missing" ]; then
        say "  already installed: $*"
        return
    fi
    if [ "$APT_UPDATED" = 0 ]; then
        say "  apt-get update"
        as_root apt-get update -q >/dev/null || fail "apt-get update failed: is another apt running (lock), or is Debian's package registry unreachable?"
        APT_UPDATED=1
    fi
    say "  apt-get install $missing"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends $missing >/dev/null \
        || fail "apt-get install $missing failed: is another apt running (lock), or is Debian's package registry unreachable?"
}

# 1. The browser and its driver, for browser and end-to-end tests.
step "1/5 Chromium and ChromeDriver (Debian packages)"
browser_works() {
    /usr/bin/chromium --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1 \
        && /usr/bin/chromedriver --version >/dev/null 2>&1
}
if browser_works; then
    say "  chromium and chromedriver run"
else
    apt_install "${APT_PACKAGES[@]}"
    browser_works || fail "chromium or chromedriver is installed but does not run (try: /usr/bin/chromium --version)"
fi

# 2. A Rust toolchain that can build for wasm32.
step "2/5 Rust for wasm32-unknown-unknown"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "  rustup has the wasm32-unknown-unknown target: using it"
else
    say "  rustup has no wasm32 std here (and cannot download one): using Debian's rustc-web and building std from source"
    # Checked by what each package gives, not by dpkg's list.
    if /usr/bin/rustc --version 2>/dev/null | grep -q . \
        && /usr/bin/cargo --version >/dev/null 2>&1 \
        && [ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ] \
        && rust-lld -flavor wasm --version >/dev/null 2>&1 \
        && /usr/bin/cargo-clippy --version >/dev/null 2>&1; then
        say "  Debian's rustc, cargo, clippy, std sources and rust-lld are there and run"
    else
        # A package can be "installed" with its recommended half missing, so
        # install by name whenever a capability is missing.
        APT_FORCE=1 apt_install "${WASM_APT_PACKAGES[@]}"
    fi
    rust-lld -flavor wasm --version >/dev/null 2>&1 \
        || fail "rust-lld (the wasm linker, from Debian's rust-web-llvm) does not run: try apt-get install rust-web-llvm"
    if ! rustup toolchain list | grep -q '^debian-web'; then
        say "  linking Debian's toolchain into rustup as 'debian-web'"
        rustup toolchain link debian-web /usr
    fi
fi

# shellcheck source=scripts/wasm-env.sh
source "$ROOT/scripts/wasm-env.sh"
# Native builds must not see the wasm-only variables (RUSTC_BOOTSTRAP=1 makes
# stable cargo try to rebuild std for the host).
native() { env -u RUSTUP_TOOLCHAIN -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD "$@"; }
# Tools are built with the newest cargo at hand: Debian's 1.96 on that route.
tool_cargo() {
    if [ "$SNAPLAB_WASM_ROUTE" = "rustup target" ]; then native cargo "$@"
    else RUSTUP_TOOLCHAIN=debian-web env -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD cargo "$@"; fi
}

# 3. Crate sources, so that Trunk's offline builds find everything.
step "3/5 Fetch crates (native, and wasm32 with std's own dependencies)"
native cargo fetch --locked >/dev/null || fail "cargo fetch failed: is crates.io reachable?"
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null || fail "cargo fetch for wasm32 failed: is crates.io reachable?"

# 4. The capability itself: a tiny crate builds and links for wasm32 with the
#    environment every wasm step uses. Its target dir is kept under target/, so
#    a second run only checks freshness (seconds); the first builds std (~90 s).
step "4/5 A tiny crate links for wasm32 (the linker and std really work)"
PROBE="$ROOT/target/setup-probe"
mkdir -p "$PROBE/src"
printf '[package]\nname = "snaplab-wasm-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n[workspace]\n' >"$PROBE/Cargo.toml"
printf '#[no_mangle]\npub extern "C" fn probe(x: u32) -> u32 { let v: Vec<u32> = (0..x).collect(); v.iter().sum() }\n' >"$PROBE/src/lib.rs"
(cd "$PROBE" && cargo build -q --offline --release --target wasm32-unknown-unknown 2>"$PROBE/build.log") \
    || { cat "$PROBE/build.log" >&2; fail "a one-function crate does not build or link for wasm32 (see above)"; }
[ -s "$PROBE/target/wasm32-unknown-unknown/release/snaplab_wasm_probe.wasm" ] \
    || fail "the wasm32 build produced no .wasm file"
say "  linked target/setup-probe/…/snaplab_wasm_probe.wasm"

# 5–8. The tools: wasm-bindgen-cli, Trunk, wasm-pack and playwright-core. They
#      do not depend on each other, so they are built side by side, each
#      logging to its own file. Tools are not the product: they are built
#      without LTO, with many codegen units and light optimisation (cargo's
#      CARGO_PROFILE_RELEASE_* variables override an installed crate's own
#      profile). Trunk's fat-LTO, one-unit link alone took 15 minutes on a busy
#      2-core machine; without it the whole step takes a fraction of that.
tool_build() {
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
        CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
        CARGO_PROFILE_RELEASE_INCREMENTAL=false tool_cargo "$@"
}
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
[ -n "$WB_VERSION" ] || { STEP="5/5 wasm-bindgen-cli"; fail "could not read the wasm-bindgen version from Cargo.lock"; }

# wasm-bindgen-cli, at exactly the version Cargo.lock pins for the crate.
have_wasm_bindgen() {
    wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB_VERSION" \
        && wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$WB_VERSION"
}
install_wasm_bindgen() {
    if tool_build install -q wasm-bindgen-cli --version "$WB_VERSION" --locked --force; then return 0; fi
    # The published lockfile pins a webpki-roots that the registry mirror
    # here does not serve. cargo has downloaded the crate by now: unpack it,
    # move that one dependency to the previous patch release, and install
    # from the unpacked source.
    echo "the published lockfile does not resolve here; retrying with webpki-roots 1.0.10"
    local crate work
    crate="$(ls "$HOME"/.cargo/registry/cache/*/wasm-bindgen-cli-"$WB_VERSION".crate 2>/dev/null | head -n1)"
    [ -n "$crate" ] || { echo "could not download wasm-bindgen-cli $WB_VERSION from crates.io"; return 1; }
    work="$(mktemp -d)"
    tar -xzf "$crate" -C "$work"
    (cd "$work/wasm-bindgen-cli-$WB_VERSION" \
        && tool_build update -q -p webpki-roots --precise 1.0.10 \
        && tool_build install -q --path . --locked --force) || return 1
    rm -rf "$work"
    have_wasm_bindgen || { echo "wasm-bindgen on PATH is '$(wasm-bindgen --version)', not $WB_VERSION: remove the other one from PATH"; return 1; }
}
have_trunk() { trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; }
# Trunk 0.22 declares rust-version 1.96.1; cargo 1.96.0 builds it fine.
install_trunk() { tool_build install -q trunk --version "$TRUNK_VERSION" --locked --ignore-rust-version; }
have_wasm_pack() { wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; }
install_wasm_pack() { tool_build install -q wasm-pack --version "$WASM_PACK_VERSION" --locked; }
# playwright-core drives Debian's Chromium: it never downloads a browser of its own.
have_playwright() {
    (cd e2e && node -e "require('playwright-core'); require('axe-core')" 2>/dev/null) \
        && cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json.snaplab 2>/dev/null
}
install_playwright() {
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) || return 1
    cp e2e/package-lock.json e2e/node_modules/.package-lock.json.snaplab
}

# The real Azure SDKs for Python (pinned in tests/sdk/python/requirements.txt)
# in a project-local virtualenv, .venv/: the test command runs them against
# `snaplab serve`. Checked by importing them at their pinned versions.
have_sdk_venv() { bash scripts/sdk-tests.sh --check-venv && have_sdk_node; }
install_sdk_venv() {
    # Debian's python3 makes virtualenvs only with python3-venv (ensurepip).
    python3 -c "import ensurepip, venv" 2>/dev/null || apt_install python3-venv
    bash scripts/sdk-tests.sh --make-venv || return 1
    have_sdk_node || install_sdk_node
}
# ...and for JavaScript (pinned in tests/sdk/node/package-lock.json), checked
# by importing them.
have_sdk_node() {
    (cd tests/sdk/node && node --input-type=module -e "await import('@azure/arm-compute'); await import('@azure/storage-blob')" 2>/dev/null) \
        && cmp -s tests/sdk/node/package-lock.json tests/sdk/node/node_modules/.package-lock.json.snaplab 2>/dev/null
}
install_sdk_node() {
    (cd tests/sdk/node && npm ci --no-audit --no-fund --loglevel=error) || return 1
    cp tests/sdk/node/package-lock.json tests/sdk/node/node_modules/.package-lock.json.snaplab
}

# knack and azure-cli (pinned in tests/knack/requirements.txt) in a second
# virtualenv, .venv-az/: the knack differential's oracle. Separate from .venv/
# because azure-cli's exact pins conflict with the SDK tests' pins.
have_knack_venv() { bash scripts/knack-tests.sh --check-venv; }
install_knack_venv() {
    python3 -c "import ensurepip, venv" 2>/dev/null || apt_install python3-venv
    bash scripts/knack-tests.sh --make-venv
}

step "5/5 tools, built side by side: wasm-bindgen-cli $WB_VERSION, trunk $TRUNK_VERSION, wasm-pack $WASM_PACK_VERSION, playwright-core and axe-core, the Azure SDKs for Python and JavaScript, azure-cli and knack"
TOOL_LOGS="$(mktemp -d)"
declare -A TOOL_PID=()
for tool in wasm_bindgen trunk wasm_pack playwright sdk_venv knack_venv; do
    if "have_$tool"; then
        say "  $tool: already installed"
    else
        say "  $tool: building (log: $TOOL_LOGS/$tool.log)"
        ( t0=$SECONDS; rc=0
          "install_$tool" >"$TOOL_LOGS/$tool.log" 2>&1 || rc=$?
          echo "$((SECONDS - t0))" >"$TOOL_LOGS/$tool.seconds"; exit $rc ) &
        TOOL_PID[$tool]=$!
    fi
done
TOOLS_FAILED=()
for tool in "${!TOOL_PID[@]}"; do
    if wait "${TOOL_PID[$tool]}" && "have_$tool"; then
        say "  $tool: built in $(cat "$TOOL_LOGS/$tool.seconds" 2>/dev/null || echo '?') s"
    else
        cat "$TOOL_LOGS/$tool.log" >&2
        TOOLS_FAILED+=("$tool")
    fi
done
[ "${#TOOLS_FAILED[@]}" = 0 ] || fail "building ${TOOLS_FAILED[*]} failed (its log is above); is crates.io / the npm registry / PyPI reachable?"
rm -rf "$TOOL_LOGS"

trap - ERR
say "  (${STEP%% *} took $((SECONDS - STEP_START)) s)"
say "ready in $((SECONDS - SETUP_START)) s (wasm route: $SNAPLAB_WASM_ROUTE)"
