//! `snaplab serve` and its lab file: locked while served (and `run
//! --state` pointed at `--server`), every answered change saved, a clean
//! stop on Ctrl+C, concurrent requests that lose nothing, and the clock.

mod serve_support;

use serve_support::*;

fn run_state(file: &std::path::Path, script: &str) -> std::process::Output {
    let mut child = snaplab()
        .args(["run", "--state", file.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_banner_the_lock_and_a_clean_stop() {
    let dir = temp_dir("lock");
    let file = dir.join("lab.snaplab");
    let server = Server::manual(&file);
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "the real port is printed");
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.starts_with("Lab file: ") && l.contains("lab.snaplab")),
        "{:?}",
        server.banner
    );
    // The development storage account, on a line of its own, ready to paste.
    let connection = format!(
        "Blob connection string: DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};BlobEndpoint={}/devstoreaccount1;",
        snaplab_console::serve::storage::auth::DEV_ACCOUNT.key,
        server.base
    );
    assert!(server.banner.contains(&connection), "{:?}", server.banner);
    group_and_disk(&server, "rg1", "d1");

    // The lab is the server's: a run on the file is refused at once, and told where to go.
    let started = std::time::Instant::now();
    let refused = run_state(&file, "az group list -o tsv\n");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!("snaplab run --server {}", server.base)),
        "{stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "refused without waiting for the lock"
    );

    // run --server runs the script there, with its output and exit status.
    let via = snaplab()
        .args(["run", "--server", &server.base])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut via = via;
    std::io::Write::write_all(
        &mut via.stdin.take().unwrap(),
        b"az disk show -g rg1 -n d1 --query diskSizeGB -o tsv\n",
    )
    .unwrap();
    let out = via.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "64\n");
    let failing = server.run("az disk show -g rg1 -n nope\n");
    assert_eq!(failing.status, 422);
    assert_eq!(failing.header("x-snaplab-exit-status"), Some("3"));
    assert!(
        failing.text().contains("ResourceNotFound"),
        "{}",
        failing.text()
    );

    let (status, rest) = server.interrupt();
    assert!(status.success(), "Ctrl+C is a clean stop: {status:?}");
    assert!(
        rest.contains("stopped: every answered change is saved"),
        "{rest}"
    );
    assert!(
        !dir.join(".lab.snaplab.snaplab-serve").exists(),
        "the marker goes with the server"
    );

    // Everything answered is in the file, which verifies and opens.
    assert_lab_file_verifies(&file);
    let after = run_state(
        &file,
        "az disk show -g rg1 -n d1 --query diskSizeGB -o tsv\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&after.stdout),
        "64\n",
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
}

#[test]
fn two_hundred_concurrent_snapshot_puts_lose_nothing() {
    let dir = temp_dir("concurrent");
    let file = dir.join("lab.snaplab");
    let server = Server::manual(&file);
    group_and_disk(&server, "rg1", "d1");
    let base = server.base.clone();
    let threads: Vec<_> = (0..200)
        .map(|n| {
            let base = base.clone();
            std::thread::spawn(move || {
                let target = format!(
                    "{}?{API}",
                    resource_path("rg1", "snapshots", &format!("snap{n}"))
                );
                snaplab_console::serve::client::send(
                    &base,
                    "PUT",
                    &target,
                    &[],
                    snapshot_body("rg1", "d1", false).as_bytes(),
                )
                .map(|r| r.status)
            })
        })
        .collect();
    let statuses: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == Ok(202)), "{statuses:?}");
    let list = server
        .get(&format!(
            "{}/providers/Microsoft.Compute/snapshots?{API}",
            group_path("rg1")
        ))
        .json();
    assert_eq!(list["value"].as_array().unwrap().len(), 200);

    let (status, _) = server.interrupt();
    assert!(status.success());
    assert_lab_file_verifies(&file);
    let counted = run_state(
        &file,
        "az snapshot list -g rg1 --query 'length(@)' -o tsv\n",
    );
    assert_eq!(String::from_utf8_lossy(&counted.stdout), "200\n");
}

fn time_created(server: &Server, name: &str) -> String {
    let r = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "snapshots", name)),
        &snapshot_body("rg1", "d1", false),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    r.json()["properties"]["timeCreated"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_wall_clock_moves_the_lab_and_the_manual_one_does_not() {
    let manual = Server::start(&["--clock", "manual"]);
    group_and_disk(&manual, "rg1", "d1");
    let first = time_created(&manual, "a");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        time_created(&manual, "b"),
        first,
        "manual: only sim clock advance moves it"
    );
    assert_eq!(manual.run("sim clock advance 90s\n").status, 200);
    assert_ne!(time_created(&manual, "c"), first);

    let wall = Server::start(&[]);
    assert!(
        wall.banner.iter().any(|l| l.starts_with("Clock: wall")),
        "wall is the default: {:?}",
        wall.banner
    );
    group_and_disk(&wall, "rg1", "d1");
    let first = time_created(&wall, "a");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let later = time_created(&wall, "b");
    assert!(later > first, "{first} then {later}");
}

#[test]
fn a_marker_left_by_a_killed_server_is_not_believed_without_the_lock() {
    let dir = temp_dir("stale");
    let file = dir.join("lab.snaplab");
    let mut server = Server::manual(&file);
    group_and_disk(&server, "rg1", "d1");
    // Killed (SIGKILL): no clean stop, the marker stays; the lock goes with the process.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(dir.join(".lab.snaplab.snaplab-serve").exists());
    let out = run_state(
        &file,
        "az disk show -g rg1 -n d1 --query diskSizeGB -o tsv\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "64\n",
        "every answered change was saved before the kill"
    );
}
