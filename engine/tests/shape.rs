//! The shape the code keeps (issue 20's proof), checked over the sources of
//! all three crates rather than promised in a document:
//! - no import loop between a crate's top-level modules (each module a
//!   layer: `state` ← `rules` ← `cmd` ← `lab` ← `persist`, never back);
//! - no function over 250 lines outside tests (the app's own limit of 150
//!   is checked in `src/lib.rs`).
//!
//! The scan is textual, deliberately: it reads `crate::name` paths (also in
//! `use crate::{a::…, b}` groups) outside test code, so a doc link to a
//! higher module counts as a dependency too — a layer's docs should not
//! send a reader upwards either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).expect("under dir");
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.push((rel.to_string_lossy().replace('\\', "/"), text));
            }
        }
    }
    found.sort();
    found
}

/// The part of a file that is not test code: a file marked `#![cfg(test)]`
/// is all test code; otherwise everything before its first `#[cfg(test)]`.
fn non_test(text: &str) -> &str {
    if text.contains("#![cfg(test)]") {
        return "";
    }
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// The top-level modules one file's code names through `crate::`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        // `snaplab_console::…` or `$crate::` is not this crate's path.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, c, d::{e, f}}`: the first name of each item.
            let mut depth = 0;
            let mut item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ if item_start && !name.is_empty() => {
                        names.insert(std::mem::take(&mut name));
                        item_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                names.insert(name);
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.insert(name);
        }
    }
    names
}

/// Top-level module → the top-level modules it names.
fn module_graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let first = rel.split('/').next().expect("a path");
        let module = first.strip_suffix(".rs").unwrap_or(first).to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let code: String = non_test(text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        for name in named_modules(&code) {
            // `crate::Lab` (a root re-export) names no module; `self`/`super` are local.
            let is_module = name.starts_with(|c: char| c.is_lowercase());
            if name != module && is_module && name != "self" && name != "super" {
                graph.entry(module.clone()).or_default().insert(name);
            }
        }
    }
    graph
}

/// One loop in the graph, if there is one: `[a, b, …, a]`.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_loop_between_its_modules() {
    for crate_src in ["engine/src", "console/src", "src"] {
        let files = sources(&root().join(crate_src));
        assert!(files.len() > 10, "{crate_src}: the scan finds its files");
        let graph = module_graph(&files);
        assert!(graph.len() >= 4, "{crate_src}: the scan finds dependencies");
        if let Some(cycle) = find_loop(&graph) {
            panic!("{crate_src}: an import loop: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_scan_sees_a_loop_through_a_use_group() {
    let files = vec![
        ("a.rs".to_string(), "use crate::{b::B, c};".to_string()),
        ("b/mod.rs".to_string(), "use crate::d;".to_string()),
        ("c.rs".to_string(), String::new()),
        (
            "d.rs".to_string(),
            "fn f() -> crate::a::A { todo!() }".to_string(),
        ),
        (
            "e.rs".to_string(),
            "#[cfg(test)]\nmod tests { use crate::a; }".to_string(),
        ),
        (
            "f.rs".to_string(),
            "#![cfg(test)]\nuse crate::e;".to_string(),
        ),
    ];
    let graph = module_graph(&files);
    assert_eq!(
        graph.get("a").cloned().unwrap_or_default(),
        ["b", "c"].map(String::from).into_iter().collect()
    );
    assert!(!graph.contains_key("e"), "test code is not a dependency");
    assert!(
        !graph.contains_key("f"),
        "a test-only file is not a dependency"
    );
    assert_eq!(
        find_loop(&graph),
        Some(["a", "b", "d", "a"].map(String::from).to_vec())
    );
    let mut layered = graph.clone();
    layered.remove("d");
    assert_eq!(find_loop(&layered), None);
}

/// (lines, "file: name") of every function, longest first; a function ends
/// at the first `}` line at its own indentation.
fn function_lengths(files: &[(String, String)]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (rel, text) in files {
        let lines: Vec<&str> = non_test(text).lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let rest = ["pub(crate) ", "pub(super) ", "pub ", ""]
                .iter()
                .find_map(|v| body.strip_prefix(v))
                .unwrap_or(body);
            let rest = rest.strip_prefix("async ").unwrap_or(rest);
            let Some(rest) = rest.strip_prefix("fn ") else {
                continue;
            };
            let end = format!("{indent}}}");
            if let Some(len) = lines[i..].iter().position(|l| *l == end) {
                let name = rest.split(['(', '<']).next().unwrap_or(rest);
                found.push((len + 1, format!("{rel}: {name}")));
            }
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    found
}

#[test]
fn no_function_outside_tests_is_over_250_lines() {
    for crate_src in ["engine/src", "console/src", "src"] {
        let lengths = function_lengths(&sources(&root().join(crate_src)));
        assert!(lengths.len() > 50, "{crate_src}: the scan finds functions");
        let long: Vec<_> = lengths.iter().filter(|(n, _)| *n > 250).collect();
        assert!(long.is_empty(), "{crate_src}: over 250 lines: {long:?}");
    }
}

#[test]
fn the_length_scan_measures_to_the_closing_brace() {
    let files = vec![(
        "x.rs".to_string(),
        "pub fn a() {\n    1\n}\n    pub(crate) async fn b<T>() {\n    }\n#[cfg(test)]\nfn t() {\n}\n"
            .to_string(),
    )];
    assert_eq!(
        function_lengths(&files),
        vec![(3, "x.rs: a".to_string()), (2, "x.rs: b".to_string())]
    );
}
