//! Scripts in the style of Azure's docs pages (`tests/docs/`), each run
//! from its page's starting point (`setup.sh`) and checked line for line
//! against its golden output. The same scripts run in the browser's
//! console in `e2e/tests/docs.test.mjs`, against the same goldens.

use std::path::{Path, PathBuf};

use snaplab_console::{Console, Language, Line};
use snaplab_engine::Lab;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/docs")
}

/// Every script of the corpus: (page directory, file name).
fn scripts() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    pages.sort();
    for page in pages {
        let mut files: Vec<String> = std::fs::read_dir(&page)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|f| (f.ends_with(".sh") || f.ends_with(".ps1")) && f != "setup.sh")
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (page.clone(), f)));
    }
    out
}

/// What the script printed (standard error lines marked), and how it ended:
/// the golden file's text.
fn run(page: &Path, file: &str) -> String {
    let mut console = Console::new(Lab::new());
    let dir = page.to_path_buf();
    console.files = Box::new(move |path| std::fs::read_to_string(dir.join(path)).ok());
    let setup = std::fs::read_to_string(page.join("setup.sh")).unwrap();
    let ready = console.run(&setup);
    assert_eq!(
        ready.status,
        0,
        "{}: setup failed: {:?}",
        page.display(),
        ready.lines
    );
    let script = std::fs::read_to_string(page.join(file)).unwrap();
    let language = if file.ends_with(".ps1") {
        Language::PowerShell
    } else {
        Language::Bash
    };
    let transcript = console.run_in(language, &script);
    let mut text = String::new();
    for line in &transcript.lines {
        match line {
            Line::Out(s) => text += &format!("{s}\n"),
            Line::Err(s) => text += &format!("{s}\n"),
        }
    }
    text + &format!("[exit {}]\n", transcript.status)
}

fn golden(page: &Path, file: &str) -> PathBuf {
    page.join(format!("{file}.golden"))
}

#[test]
fn every_docs_style_script_prints_its_golden_output() {
    let scripts = scripts();
    // The twenty-six pages, each with its scripted tabs.
    let pages: std::collections::BTreeSet<_> = scripts.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(pages.len(), 26, "{pages:?}");
    assert!(scripts.len() >= 49, "{} scripts", scripts.len());
    let mut failures = Vec::new();
    for (page, file) in &scripts {
        let expected = std::fs::read_to_string(golden(page, file))
            .unwrap_or_else(|_| panic!("{} has no golden output", golden(page, file).display()));
        let got = run(page, file);
        if got != expected {
            failures.push(format!(
                "{}/{file}\n--- expected\n{expected}--- got\n{got}",
                page.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_scripts_do_what_their_pages_promise() {
    let out = |page: &str, file: &str| run(&corpus().join(page), file);
    // Each ends as the page's reader expects (an error only where the
    // script provokes one on purpose, and says so).
    for (page, file) in scripts() {
        let text = run(&page, &file);
        let deliberate =
            text.contains("exit code: 1") || file == "cli.sh" && page.ends_with("expand-disk");
        assert!(
            text.ends_with("[exit 0]\n") || deliberate,
            "{}/{file}:\n{text}",
            page.display()
        );
        assert!(
            !text.contains("not recognized"),
            "{}/{file}:\n{text}",
            page.display()
        );
        assert!(
            !text.contains("misspelled"),
            "{}/{file}:\n{text}",
            page.display()
        );
    }
    let copy = out("copy-to-region", "cli.sh");
    assert!(copy.contains("copy complete after"), "{copy}");
    let copy = out("copy-to-region", "powershell.ps1");
    assert!(copy.contains("Copied to westus2: 100%"), "{copy}");
    let v2 = out("premium-ssd-v2", "cli.sh");
    // A list of two values, as TSV: one per line.
    assert!(v2.contains("6000\n200\n"), "{v2}");
    let iteration = out("resource-iteration", "template.sh");
    assert!(
        iteration.starts_with("data-disk-daily-1\ndata-disk-daily-2\ndata-disk-daily-3\n"),
        "{iteration}"
    );
    let ordered = out("incremental-snapshots-in-order", "cli.sh");
    // Oldest first; the full snapshot and the other disk's are not in the chain.
    let mon = ordered.find("data-disk-snap-mon").unwrap();
    let tue = ordered.find("data-disk-snap-tue").unwrap();
    assert!(
        mon < tue && !ordered.contains("other-disk-snap"),
        "{ordered}"
    );
    let by_disk = out("find-snapshots-by-disk", "powershell.ps1");
    assert!(by_disk.contains("Snapshots of app-disk: 2\n"), "{by_disk}");
    let vhd = out("download-vhd", "cli.sh");
    assert!(vhd.contains("1\nActiveSAS\n"), "{vhd}");
    assert!(vhd.contains("Unattached\n"), "{vhd}");
}

/// Rewrites the goldens from what the scripts print now. Run it after a
/// deliberate change, then read the diff before committing it.
#[test]
#[ignore]
fn write_the_goldens() {
    for (page, file) in scripts() {
        std::fs::write(golden(&page, &file), run(&page, &file)).unwrap();
    }
}
