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
//! | its hooks: the lab's effects, keyboard shortcuts, the console dock, the phone layout's sheets | `hooks/` |
//! | the app's state as a pure reducer, in sub-states (work queue, transcript, notices, history) | `state/` |
//! | I/O: the lab's database, running and storing work, share links, other tabs, console history | `services/` |
//! | the components (header, workspace, panels, cards), one file each | `components/` |
//! | the block map's logic (cells, their states, zoom), tested natively | `block_cells.rs` |
//! | touch gestures on the map and chain (drag pans, pinch zooms), tested natively | `gesture.rs` |
//! | the Block size advisor's arithmetic | `granularity.rs` |
//! | the UI's words in English and Swedish | `i18n.rs` |
//! | IndexedDB: where the lab's records are stored in the browser | `storage.rs` |
//! | the wasm entry point Trunk starts | `main.rs` |
//!
//! State changes only in [`state::AppState`]'s reducer; I/O happens only in
//! services, called from hooks and callbacks. The reducer is plain Rust, so
//! it is tested natively with `cargo test -p snaplab --lib`.

pub mod app;
pub mod block_cells;
pub mod components;
pub mod gesture;
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

#[cfg(test)]
mod tests {
    /// Every `fn` in `src/` with its length in lines, longest first. A
    /// function ends at the first `}` at its own indentation (rustfmt's
    /// layout), so `html!` braces inside it do not end it early.
    fn function_lengths() -> Vec<(usize, String)> {
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    found.extend(
                        lengths_in(&text)
                            .into_iter()
                            .map(|(n, name)| (n, format!("{}: {name}", path.display()))),
                    );
                }
            }
        }
        found.sort_by(|a, b| b.cmp(a));
        found
    }

    fn lengths_in(text: &str) -> Vec<(usize, String)> {
        let lines: Vec<&str> = text.lines().collect();
        let mut found = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let words = [
                "fn ",
                "pub fn ",
                "async fn ",
                "pub async fn ",
                "pub(super) fn ",
                "pub(crate) fn ",
            ];
            let Some(rest) = words.iter().find_map(|w| body.strip_prefix(w)) else {
                continue;
            };
            let end = format!("{indent}}}");
            if let Some(len) = lines[i..].iter().position(|l| *l == end) {
                let name = rest.split(['(', '<']).next().unwrap_or(rest);
                found.push((len + 1, name.to_string()));
            }
        }
        found
    }

    #[test]
    fn no_function_in_src_is_over_150_lines() {
        let lengths = function_lengths();
        assert!(lengths.len() > 100, "the scan finds the functions");
        let long: Vec<_> = lengths.iter().filter(|(n, _)| *n > 150).collect();
        assert!(long.is_empty(), "over 150 lines: {long:?}");
    }

    #[test]
    fn a_function_ends_at_the_brace_at_its_own_indentation() {
        let text =
            "fn a() {\n    html! {\n        <p>{ 1 }</p>\n    }\n}\n\n    pub fn b<T>() {\n    }\n";
        assert_eq!(
            lengths_in(text),
            vec![(5, "a".to_string()), (2, "b".to_string())]
        );
    }
}
