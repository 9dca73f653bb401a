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
step() { STEP="$1"; say "$1"; }
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
step "1/8 Chromium and ChromeDriver (Debian packages)"
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
step "2/8 Rust for wasm32-unknown-unknown"
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
step "3/8 Fetch crates (native, and wasm32 with std's own dependencies)"
native cargo fetch --locked >/dev/null || fail "cargo fetch failed: is crates.io reachable?"
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null || fail "cargo fetch for wasm32 failed: is crates.io reachable?"

# 4. The capability itself: a tiny crate builds and links for wasm32 with the
#    environment every wasm step uses. Its target dir is kept under target/, so
#    a second run only checks freshness (seconds); the first builds std (~90 s).
step "4/8 A tiny crate links for wasm32 (the linker and std really work)"
PROBE="$ROOT/target/setup-probe"
mkdir -p "$PROBE/src"
printf '[package]\nname = "snaplab-wasm-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n[workspace]\n' >"$PROBE/Cargo.toml"
printf '#[no_mangle]\npub extern "C" fn probe(x: u32) -> u32 { let v: Vec<u32> = (0..x).collect(); v.iter().sum() }\n' >"$PROBE/src/lib.rs"
(cd "$PROBE" && cargo build -q --offline --release --target wasm32-unknown-unknown 2>"$PROBE/build.log") \
    || { cat "$PROBE/build.log" >&2; fail "a one-function crate does not build or link for wasm32 (see above)"; }
[ -s "$PROBE/target/wasm32-unknown-unknown/release/snaplab_wasm_probe.wasm" ] \
    || fail "the wasm32 build produced no .wasm file"
say "  linked target/setup-probe/…/snaplab_wasm_probe.wasm"

# 5. wasm-bindgen-cli, at exactly the version Cargo.lock pins for the crate.
step "5/8 wasm-bindgen-cli (same version as the wasm-bindgen crate in Cargo.lock)"
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
[ -n "$WB_VERSION" ] || fail "could not read the wasm-bindgen version from Cargo.lock"
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB_VERSION" \
    && wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$WB_VERSION"; then
    say "  wasm-bindgen $WB_VERSION already installed"
else
    say "  building wasm-bindgen-cli $WB_VERSION (about 2.5 minutes)"
    if ! tool_cargo install -q wasm-bindgen-cli --version "$WB_VERSION" --locked --force 2>/tmp/snaplab-wbcli.log; then
        # The published lockfile pins a webpki-roots that the registry mirror
        # here does not serve. cargo has downloaded the crate by now: unpack
        # it, move that one dependency to the previous patch release, and
        # install from the unpacked source.
        say "  the published lockfile does not resolve here; retrying with webpki-roots 1.0.10"
        CRATE="$(ls "$HOME"/.cargo/registry/cache/*/wasm-bindgen-cli-"$WB_VERSION".crate 2>/dev/null | head -n1)"
        [ -n "$CRATE" ] || { cat /tmp/snaplab-wbcli.log >&2; fail "could not download wasm-bindgen-cli $WB_VERSION from crates.io"; }
        WORK="$(mktemp -d)"
        tar -xzf "$CRATE" -C "$WORK"
        (cd "$WORK/wasm-bindgen-cli-$WB_VERSION" \
            && tool_cargo update -q -p webpki-roots --precise 1.0.10 \
            && tool_cargo install -q --path . --locked --force) \
            || fail "building wasm-bindgen-cli $WB_VERSION failed (see above)"
        rm -rf "$WORK"
    fi
    wasm-bindgen --version | grep -qx "wasm-bindgen $WB_VERSION" \
        || fail "wasm-bindgen on PATH is '$(wasm-bindgen --version)', not $WB_VERSION: remove the other one from PATH"
fi

# 6. Trunk, which builds and serves the app.
step "6/8 trunk $TRUNK_VERSION"
if trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
    say "  trunk $TRUNK_VERSION already installed"
else
    say "  building trunk $TRUNK_VERSION (about 15 minutes on 2 cores; it is built once)"
    # Trunk 0.22 declares rust-version 1.96.1; cargo 1.96.0 builds it fine.
    tool_cargo install -q trunk --version "$TRUNK_VERSION" --locked --ignore-rust-version \
        || fail "building trunk failed (see above)"
fi

# 7. wasm-pack, the usual front end for browser tests.
step "7/8 wasm-pack $WASM_PACK_VERSION"
if wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
    say "  wasm-pack $WASM_PACK_VERSION already installed"
else
    say "  building wasm-pack $WASM_PACK_VERSION (about 2 minutes)"
    tool_cargo install -q wasm-pack --version "$WASM_PACK_VERSION" --locked \
        || fail "building wasm-pack failed (see above)"
fi

# 8. playwright-core for the end-to-end tests. It drives Debian's Chromium:
#    it never downloads a browser of its own.
step "8/8 playwright-core (npm, from e2e/package-lock.json)"
if (cd e2e && node -e "require('playwright-core')" 2>/dev/null) \
    && cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json.snaplab 2>/dev/null; then
    say "  playwright-core already installed"
else
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
        || fail "npm ci in e2e/ failed: is the npm registry reachable?"
    cp e2e/package-lock.json e2e/node_modules/.package-lock.json.snaplab
fi

trap - ERR
say "ready (wasm route: $SNAPLAB_WASM_ROUTE)"
