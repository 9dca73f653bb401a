# shellcheck shell=bash
# Sourced (never run) by the scripts that build or test for wasm32.
#
# Where rustup already has the wasm32-unknown-unknown target (a machine with
# internet ran `rustup target add wasm32-unknown-unknown`), that is used as is.
# Otherwise the route from shared/reference/toolchain.md: Debian's rustc-web
# 1.96 (linked into rustup as `debian-web`) builds std for wasm from source.
# These variables are only for wasm steps: RUSTC_BOOTSTRAP=1 breaks native builds.

export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    SNAPLAB_WASM_ROUTE="rustup target"
else
    SNAPLAB_WASM_ROUTE="debian-web + build-std"
    export RUSTUP_TOOLCHAIN=debian-web
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
fi
export SNAPLAB_WASM_ROUTE
