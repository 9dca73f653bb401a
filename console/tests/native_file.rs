//! The native lab file's handling on a real file system: symlinks, modes,
//! FIFOs, devices, read-only files, leftovers, non-UTF-8 names, arguments,
//! a full stdout, and `snaplab check` / `snaplab recover` on damaged files.

#![cfg(unix)]

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_snaplab");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("snaplab-file-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `snaplab run - --state STATE`, the script on stdin; killed (and the
/// test failed) if it takes more than 20 s: nothing here may block.
fn run(state: &Path, script: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(["run", "-", "--state"])
        .arg(state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("snaplab blocked on {}", state.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn snapshots(state: &Path) -> String {
    ok(&run(
        state,
        "az snapshot list -g rg --query \"[].name\" -o tsv\n",
    ))
}

const SETUP: &str =
    "az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 4 -o none\n";

fn snapshot(name: &str) -> String {
    format!("az snapshot create -g rg -n {name} --source d -o none\n")
}

/// Enough real bytes that two of these make the next save rewrite the file.
fn big_write(n: usize) -> String {
    format!(
        "sim write -g rg --disk d --offset {} --text '{}' -o none\n",
        n * 65536,
        "z".repeat(40 * 1024)
    )
}

#[test]
fn a_symlinked_lab_stays_a_link_keeps_its_mode_and_gets_every_change() {
    let dir = temp_dir("symlink");
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let real = dir.join("real/lab.snaplab");
    ok(&run(&real, SETUP));
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.join("link.snaplab");
    std::os::unix::fs::symlink("real/lab.snaplab", &link).unwrap();
    let first_inode = std::fs::metadata(&real).unwrap().ino();
    for n in 0..4 {
        ok(&run(&link, &(big_write(n) + &snapshot(&format!("s{n}")))));
    }
    assert_ne!(
        std::fs::metadata(&real).unwrap().ino(),
        first_inode,
        "the file was rewritten (renamed over)"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().mode() & 0o777,
        0o600,
        "the rewrite kept the lab's mode"
    );
    assert_eq!(
        snapshots(&real),
        "s0\ns1\ns2\ns3\n",
        "every change reached the real file"
    );
    let names: Vec<_> = std::fs::read_dir(dir.join("real"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["lab.snaplab"], "no temporary is left beside it");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fifos_devices_and_read_only_labs_are_refused_before_anything_runs() {
    let dir = temp_dir("refused");
    let fifo = dir.join("fifo.snaplab");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = run(&fifo, SETUP);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains(
            "it is a FIFO (named pipe), not a lab file (nothing was run; the file was not changed)"
        ),
        "{message}"
    );

    let out = run(Path::new("/dev/null"), SETUP);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is a device, not a lab file"));

    let lab = dir.join("lab.snaplab");
    ok(&run(&lab, SETUP));
    std::fs::set_permissions(&lab, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&lab).unwrap();
    let out = run(&lab, &snapshot("s1"));
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("it is read-only") && message.contains("nothing was run"),
        "{message}"
    );
    assert_eq!(std::fs::read(&lab).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&lab).unwrap().mode() & 0o777,
        0o444,
        "still read-only"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn leftovers_of_killed_runs_are_removed_on_the_next_open_and_nothing_else() {
    let dir = temp_dir("leftovers");
    let lab = dir.join("lab.snaplab");
    ok(&run(&lab, SETUP));
    let leftover = dir.join(".lab.snaplab.snaplab-tmp-00112233deadbeef");
    std::fs::write(&leftover, b"a copy a killed rewrite left").unwrap();
    let other = dir.join(".other.snaplab.snaplab-tmp-00112233deadbeef");
    std::fs::write(&other, b"another lab's").unwrap();
    let mine = dir.join("notes.txt");
    std::fs::write(&mine, b"mine").unwrap();
    ok(&run(&lab, &snapshot("s1")));
    assert!(!leftover.exists(), "this lab's leftover is removed");
    assert!(other.exists() && mine.exists(), "nothing else is touched");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_exclusive_create_never_writes_through_a_planted_symlink() {
    use snaplab_console::labfile::{LabIo, RealIo};
    let dir = temp_dir("planted");
    let victim = dir.join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let planted = dir.join(".lab.snaplab.snaplab-tmp-0000000000000000");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let err = RealIo.create_new(&planted, None).expect_err("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    // Nor does opening the lab follow a link swapped in after resolving.
    assert!(RealIo.open(&planted).is_err());
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_lab_file_whose_name_is_not_utf8_works() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("utf8");
    let lab = dir.join(std::ffi::OsStr::from_bytes(b"lab-\xff\xfe.snaplab"));
    ok(&run(&lab, &(SETUP.to_string() + &snapshot("s1"))));
    assert_eq!(snapshots(&lab), "s1\n");
    let check = Command::new(BIN).arg("check").arg(&lab).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stray_arguments_and_unknown_flags_are_errors() {
    let dir = temp_dir("args");
    let (a, b) = (dir.join("a.sh"), dir.join("b.sh"));
    std::fs::write(&a, "echo a\n").unwrap();
    std::fs::write(&b, "echo b\n").unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing ran");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument"));
    let out = Command::new(BIN)
        .args(["run", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["deploy", "t.json", "extra", "-g", "rg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN).arg("run").arg(&a).output().unwrap();
    assert_eq!(ok(&out), "a\n", "one script runs as before");
    let out = Command::new(BIN)
        .args(["run", "--shell", "pwsh", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let help = ok(&help);
    for command in ["run", "deploy", "check", "recover", "completions"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(ok(&Command::new(BIN).arg("--version").output().unwrap()).starts_with("snaplab "));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = ok(&Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap());
        assert!(
            out.contains("snaplab") && out.contains("recover"),
            "{shell}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_stdout_after_a_save_says_the_lab_was_saved() {
    let dir = temp_dir("full");
    let lab = dir.join("lab.snaplab");
    let mut child = Command::new(BIN)
        .args(["run", "-", "--state"])
        .arg(&lab)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let script = SETUP.to_string() + &snapshot("s1") + "echo done\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("No space left on device"), "{message}");
    assert!(
        message.contains("the lab WAS saved") && message.contains("do not run the script again"),
        "{message}"
    );
    assert_eq!(snapshots(&lab), "s1\n", "and it was");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- check and recover ------------------------------------------------------------

/// Where each frame starts (by its magic).
fn frames(bytes: &[u8]) -> Vec<usize> {
    bytes
        .windows(8)
        .enumerate()
        .filter(|(_, w)| w == b"SLFRAME1")
        .map(|(i, _)| i)
        .collect()
}

fn snaplab(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// A lab file with a base and several frames: one run per snapshot.
fn lab_with_frames(dir: &Path) -> PathBuf {
    let lab = dir.join("lab.snaplab");
    ok(&run(&lab, SETUP));
    for n in 1..=4 {
        ok(&run(&lab, &snapshot(&format!("s{n}"))));
    }
    lab
}

#[test]
fn check_passes_a_clean_file_and_finds_a_damaged_frame_that_opening_never_reads() {
    let dir = temp_dir("check");
    let lab = lab_with_frames(&dir);
    let out = snaplab(&["check".as_ref(), lab.as_os_str()]);
    let report = ok(&out);
    assert!(
        report.contains("clean: every record and frame verifies"),
        "{report}"
    );
    assert!(report.contains("5 whole frame(s)"), "{report}");

    // One byte of an old frame's body: the lab still opens (through the
    // last index), but check tells.
    let mut bytes = std::fs::read(&lab).unwrap();
    let starts = frames(&bytes);
    assert_eq!(starts.len(), 5);
    let damaged_at = (starts[2] + starts[3]) / 2;
    bytes[damaged_at] ^= 0x55;
    std::fs::write(&lab, &bytes).unwrap();
    // Opening reads only through the last index, but it still checks every
    // frame: damage is reported at open, never passed over, and nothing runs.
    let opened = run(&lab, "az snapshot list -g rg --query \"[].name\" -o tsv\n");
    assert_eq!(opened.status.code(), Some(2));
    let said = String::from_utf8_lossy(&opened.stderr);
    assert!(said.contains("(InvalidLabFile)"), "{said}");
    assert!(said.contains("snaplab recover"), "{said}");
    assert_eq!(
        std::fs::read(&lab).unwrap(),
        bytes,
        "the file was not changed"
    );
    let out = snaplab(&["check".as_ref(), lab.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    let span = format!("damaged: bytes {}..{}", starts[2], starts[3]);
    assert!(report.contains(&span), "{report}");
    assert!(
        report.contains("the frames after it still count"),
        "{report}"
    );
    assert!(report.contains("DAMAGED"), "{report}");

    // Recover: a new file from what verifies; never over an existing one.
    let new = dir.join("new.snaplab");
    let out = snaplab(&[
        "recover".as_ref(),
        lab.as_os_str(),
        "--to".as_ref(),
        new.as_os_str(),
    ]);
    assert!(ok(&out).contains("recovered:"));
    assert_eq!(
        snapshots(&new),
        "s1\ns2\ns3\ns4\n",
        "the last index still held every snapshot"
    );
    let out = snaplab(&["check".as_ref(), new.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let written = std::fs::read(&new).unwrap();
    let again = snaplab(&[
        "recover".as_ref(),
        lab.as_os_str(),
        "--to".as_ref(),
        new.as_os_str(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    assert_eq!(std::fs::read(&new).unwrap(), written);
    assert_eq!(
        std::fs::read(&lab).unwrap(),
        bytes,
        "recover leaves the damaged file as it is"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_reports_a_damaged_base_a_torn_tail_and_a_foreign_file() {
    let dir = temp_dir("base");
    let lab = lab_with_frames(&dir);
    let clean = std::fs::read(&lab).unwrap();

    // The base's checksum fails: its records are kept only where an index vouches for them.
    let mut bytes = clean.clone();
    bytes[30] ^= 1;
    std::fs::write(&lab, &bytes).unwrap();
    let out = snaplab(&["check".as_ref(), lab.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("the base: its checksum does not match"),
        "{report}"
    );

    // A torn last save.
    std::fs::write(&lab, &clean[..clean.len() - 5]).unwrap();
    let out = snaplab(&["check".as_ref(), lab.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("not a whole frame (a save that did not finish"));
    let new = dir.join("from-torn.snaplab");
    ok(&snaplab(&[
        "recover".as_ref(),
        lab.as_os_str(),
        "--to".as_ref(),
        new.as_os_str(),
    ]));
    assert_eq!(
        snapshots(&new),
        "s1\ns2\ns3\n",
        "everything up to the torn save"
    );

    // Not a lab file at all: nothing to recover, nothing written.
    std::fs::write(&lab, b"hello, this is not a lab").unwrap();
    let out = snaplab(&["check".as_ref(), lab.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not a Snaplab lab file"));
    let nowhere = dir.join("nothing.snaplab");
    let out = snaplab(&[
        "recover".as_ref(),
        lab.as_os_str(),
        "--to".as_ref(),
        nowhere.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!nowhere.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
