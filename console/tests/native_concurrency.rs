//! One writer per lab file: real `snaplab run --state` processes started
//! together on one file each add a snapshot, and afterwards every one of
//! them is there. Without the lock (issue 24) half of them were lost and
//! three overlapping runs could leave the file unreadable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_snaplab");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("snaplab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(state: &Path, extra: &[&str]) -> Child {
    Command::new(BIN)
        .args(["run", "-", "--state"])
        .arg(state)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts every script at once (all processes exist before any is given
/// its script, so their opens and saves overlap), then waits for all.
fn run_together(state: &Path, scripts: &[String]) -> Vec<Output> {
    let mut children: Vec<Child> = scripts.iter().map(|_| start(state, &[])).collect();
    for (child, script) in children.iter_mut().zip(scripts) {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
    }
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn run_one(state: &Path, script: &str) -> Output {
    run_together(state, &[script.to_string()]).remove(0)
}

fn snapshot_names(state: &Path) -> Vec<String> {
    let out = run_one(state, "az snapshot list -g rg --query \"[].name\" -o tsv\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

fn setup(state: &Path) {
    let out = run_one(
        state,
        "az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 4 -o none\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A full snapshot per run (full ones have no 7-per-5-minutes limit).
fn snapshot(name: &str) -> String {
    format!("az snapshot create -g rg -n {name} --source d -o none\n")
}

#[test]
#[cfg(unix)]
fn fifty_concurrent_pairs_and_fifty_triples_lose_nothing() {
    let dir = temp_dir("concurrency");
    let state = dir.join("lab.snaplab");
    setup(&state);
    let mut expected = Vec::new();
    for round in 0..50 {
        let names = [format!("pair{round:02}a"), format!("pair{round:02}b")];
        let outputs = run_together(
            &state,
            &names.iter().map(|n| snapshot(n)).collect::<Vec<_>>(),
        );
        for out in &outputs {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        expected.extend(names);
    }
    let mut names = snapshot_names(&state);
    expected.sort();
    assert_eq!(names, expected, "every pair's two snapshots are there");

    // Triples: one adds a snapshot, one writes enough real bytes that the
    // file's frames outgrow its base now and then (so a save rewrites the
    // file while others wait on it), one adds a snapshot after both.
    let text = "x".repeat(40 * 1024);
    let mut rewrites = 0;
    for round in 0..50 {
        let before = inode(&state);
        let names = [format!("tri{round:02}a"), format!("tri{round:02}c")];
        let scripts = [
            snapshot(&names[0]),
            format!(
                "sim write -g rg --disk d --offset {} --text '{text}' -o none\n",
                (round % 8) * 65536
            ),
            snapshot(&names[1]),
        ];
        for out in run_together(&state, &scripts) {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if inode(&state) != before {
            rewrites += 1;
        }
        expected.extend(names);
    }
    names = snapshot_names(&state);
    expected.sort();
    assert_eq!(names, expected, "every triple's snapshots are there");
    assert!(
        rewrites >= 2,
        "some rounds rewrote the file while others waited: {rewrites}"
    );
    let check = Command::new(BIN).arg("check").arg(&state).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["lab.snaplab"], "no temporary is left");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg(unix)]
fn a_busy_lab_waits_with_a_message_or_is_refused_at_once() {
    let dir = temp_dir("busy");
    let state = dir.join("lab.snaplab");
    setup(&state);
    // Hold the lab's lock as another run would.
    let holder = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&state)
        .unwrap();
    holder.lock().unwrap();
    let before = std::fs::read(&state).unwrap();

    let refused = {
        let mut child = start(&state, &["--no-wait"]);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(snapshot("s1").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains(
            "is in use by another snaplab run (nothing was run; the file was not changed)"
        ),
        "{message}"
    );

    let timed_out = {
        let mut child = start(&state, &["--wait-timeout", "1"]);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(snapshot("s1").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(timed_out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&timed_out.stderr);
    assert!(
        message.contains("waiting up to 1 s for it to finish"),
        "{message}"
    );
    assert!(
        message.contains("was still in use by another snaplab run after 1 s"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&state).unwrap(),
        before,
        "nothing was written"
    );

    // A waiting run goes on once the lock is let go.
    let mut waiting = start(&state, &[]);
    waiting
        .stdin
        .take()
        .unwrap()
        .write_all(snapshot("s1").as_bytes())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it waits while the lab is held"
    );
    holder.unlock().unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot_names(&state), ["s1"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
