//! # snaplab (the browser app)
//!
//! A thin Yew view over `snaplab-engine`. The engine does the modelling; this
//! crate holds what only a browser has: components, IndexedDB, the DOM.
//!
//! ## Layout
//!
//! | concept | file |
//! |---|---|
//! | the app shell: the page's layout | `app.rs` |
//! | its hooks: the lab's effects, keyboard shortcuts, the console dock | `hooks/` |
//! | the app's state as a pure reducer, in sub-states (work queue, transcript, notices, history) | `state/` |
//! | I/O: the lab's database, running and storing work, share links, other tabs | `services/` |
//! | the components (header, workspace, panels, cards), one file each | `components/` |
//! | the block map's logic (classes, zoom), tested natively | `block_map.rs` |
//! | a disk's snapshot chain as block-map layers | `chain.rs` |
//! | the Block size advisor's arithmetic | `granularity.rs` |
//! | the UI's words in English and Swedish | `i18n.rs` |
//! | IndexedDB: where the lab's records are stored in the browser | `storage.rs` |
//! | the wasm entry point Trunk starts | `main.rs` |
//!
//! State changes only in [`state::AppState`]'s reducer; I/O happens only in
//! services, called from hooks and callbacks. The reducer is plain Rust, so
//! it is tested natively with `cargo test -p snaplab --lib`.

pub mod app;
pub mod block_map;
pub mod chain;
pub mod components;
pub mod granularity;
pub mod hooks;
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

