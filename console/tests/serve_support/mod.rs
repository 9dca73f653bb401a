//! Starts the real `snaplab serve` (port 0, the port read from its banner)
//! and speaks HTTP to it with the crate's small client.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use snaplab_console::serve::client::send;
pub use snaplab_console::serve::client::Response;

pub const API: &str = "api-version=2025-01-02";
/// The lab's first subscription.
pub const SUB: &str = "00000000-0000-0000-0000-5a0b1ab00001";

pub fn snaplab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snaplab"))
}

pub struct Server {
    pub child: Child,
    pub base: String,
    /// The banner's lines, as printed.
    pub banner: Vec<String>,
    reader: BufReader<std::process::ChildStdout>,
}

/// A fresh folder for one test's lab file.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("snaplab-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Server {
    /// `snaplab serve --port 0` with `args`, once its banner is out.
    pub fn start(args: &[&str]) -> Server {
        let mut child = snaplab()
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("snaplab serve starts");
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut banner = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "serve ended before its banner: {banner:?}"
            );
            banner.push(line.trim_end().to_string());
            if line.starts_with("Stop:") {
                break;
            }
        }
        let base = banner
            .iter()
            .find_map(|l| l.strip_prefix("ARM endpoint: "))
            .expect("an ARM endpoint line")
            .to_string();
        Server {
            child,
            base,
            banner,
            reader,
        }
    }

    pub fn manual(state: &Path) -> Server {
        Server::start(&["--clock", "manual", "--state", state.to_str().unwrap()])
    }

    pub fn request(&self, method: &str, target: &str, body: &str) -> Response {
        send(
            &self.base,
            method,
            target,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .expect("the server answers")
    }
    pub fn get(&self, target: &str) -> Response {
        self.request("GET", target, "")
    }
    /// `POST /snaplab/run`.
    pub fn run(&self, script: &str) -> Response {
        send(
            &self.base,
            "POST",
            "/snaplab/run",
            &[("Content-Type", "text/plain")],
            script.as_bytes(),
        )
        .expect("the server answers")
    }

    /// SIGINT (Ctrl+C), then the exit status and the rest of standard output.
    pub fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.reader, &mut rest).unwrap();
        let status = self.child.wait().unwrap();
        (status, rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `/subscriptions/SUB/resourceGroups/{group}`.
pub fn group_path(group: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{group}")
}

/// `…/providers/Microsoft.Compute/{kind}/{name}` in `group`.
pub fn resource_path(group: &str, kind: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Compute/{kind}/{name}",
        group_path(group)
    )
}

/// A group and an empty 64 GiB Premium SSD in it.
pub fn group_and_disk(server: &Server, group: &str, disk: &str) {
    let r = server.request(
        "PUT",
        &format!("{}?{API}", group_path(group)),
        r#"{"location":"eastus"}"#,
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    let r = server.request(
        "PUT",
        &format!("{}?{API}", resource_path(group, "disks", disk)),
        r#"{"location":"eastus","sku":{"name":"Premium_LRS"},"properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":64}}"#,
    );
    assert_eq!(r.status, 202, "{}", r.text());
}

/// A snapshot body of `disk` in `group`.
pub fn snapshot_body(group: &str, disk: &str, incremental: bool) -> String {
    format!(
        r#"{{"location":"eastus","properties":{{"creationData":{{"createOption":"Copy","sourceResourceId":"{}"}},"incremental":{incremental}}}}}"#,
        resource_path(group, "disks", disk)
    )
}

/// The path and query of an absolute URL this server handed out.
pub fn target_of(server: &Server, url: &str) -> String {
    url.strip_prefix(&server.base)
        .expect("a URL of this server")
        .to_string()
}

/// `snaplab check FILE` passes: every save is whole and the file verifies.
pub fn assert_lab_file_verifies(file: &std::path::Path) {
    let check = snaplab()
        .args(["check", file.to_str().expect("a UTF-8 test path")])
        .output()
        .expect("snaplab runs");
    assert!(
        check.status.success(),
        "snaplab check {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
