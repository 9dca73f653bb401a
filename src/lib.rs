//! # snaplab (the browser app)
//!
//! A thin Yew view over `snaplab-engine`. The engine does the modelling; this
//! crate holds what only a browser has: components, IndexedDB, the DOM.
//!
//! ## Layout
//!
//! | concept | file |
//! |---|---|
//! | the lab's state and every action on it, as a pure reducer | `state.rs` |
//! | the components: header, disk card, action buttons | `app.rs` |
//! | IndexedDB: where page data is stored in the browser | `storage.rs` |
//! | the wasm entry point Trunk starts | `main.rs` |
//!
//! State changes only in [`state::Lab::reduce`]; I/O happens only in effects.
//! The reducer is plain Rust, so it is tested natively with `cargo test`.

pub mod app;
pub mod block_map;
pub mod components;
pub mod granularity;
pub mod i18n;
pub mod services;
pub mod state;
pub mod storage;

/// What an action's az command does and which rules it touches (the
/// console's `explain`), for hover text on the UI's buttons.
pub fn explain_tip(az: &str) -> String {
    let words: Vec<String> = az.split_whitespace().map(str::to_string).collect();
    snaplab_console::explain::explain(&words).unwrap_or_default()
}

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
