//! The wasm entry point: Trunk builds this binary and runs `main` on load.
fn main() {
    snaplab::start();
}
