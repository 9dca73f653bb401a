//! The HTTP surface under abuse: malformed requests, bodies longer or
//! shorter than declared, huge bodies and URLs, odd encodings, and 1,000
//! concurrent requests. Each gets a clear 4xx (or its answer), the server
//! keeps serving, nothing is lost, and the lab file still verifies.

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serve_support::*;

/// Sends raw bytes and returns the status of the first answer (None if
/// the server closed without one).
fn raw(server: &Server, bytes: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).and_then(|s| s.parse().ok())
}

fn alive(server: &Server) {
    assert_eq!(
        server.get(&format!("/subscriptions?{API}")).status,
        200,
        "the server still serves"
    );
}

#[test]
fn malformed_http_gets_4xx_and_the_server_goes_on() {
    let dir = temp_dir("robust");
    let file = dir.join("lab.snaplab");
    let server = Server::manual(&file);
    group_and_disk(&server, "rg1", "d1");

    let status = raw(&server, b"HELLO WORLD\r\n\r\n");
    assert!(matches!(status, Some(400..=499)), "{status:?}");
    let status = raw(
        &server,
        b"GET /subscriptions?api-version=2025-01-02 HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    );
    assert!(matches!(status, Some(400..=499)), "{status:?}");
    // A body shorter than declared (the client stops sending): 400, nothing applied.
    let put = format!(
        "PUT {}?{API} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{{\"location\":\"eastus\"",
        group_path("short")
    );
    assert_eq!(raw(&server, put.as_bytes()), Some(400));
    assert_eq!(
        server.get(&format!("{}?{API}", group_path("short"))).status,
        404
    );
    // A body longer than declared: the declared part is the body (here: bad JSON), the rest is not a request.
    let long = format!(
        "PUT {}?{API} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{{\"location\":\"eastus\"}}",
        group_path("long")
    );
    assert_eq!(raw(&server, long.as_bytes()), Some(400));
    assert_eq!(
        server.get(&format!("{}?{API}", group_path("long"))).status,
        404
    );
    let negative = format!(
        "PUT {}?{API} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        group_path("neg")
    );
    assert!(matches!(raw(&server, negative.as_bytes()), Some(400..=499)));

    let huge = format!(
        "{{\"location\":\"eastus\",\"tags\":{{\"a\":\"{}\"}}}}",
        "x".repeat(3 << 20)
    );
    assert_eq!(
        server
            .request("PUT", &format!("{}?{API}", group_path("huge")), &huge)
            .status,
        413
    );
    let long_url = format!(
        "/subscriptions/{SUB}/resourcegroups/{}?{API}",
        "g".repeat(200_000)
    );
    assert!(matches!(
        raw(
            &server,
            format!("GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()
        ),
        Some(400..=499) | None
    ));
    for odd in [
        "/subscriptions/%ZZ?api-version=2025-01-02",
        "/subscriptions/..%2F..%2Fetc?api-version=2025-01-02",
        "/%00?api-version=2025-01-02",
    ] {
        let status = server.get(odd).status;
        assert!(
            (400..500).contains(&status) || status == 501,
            "{odd}: {status}"
        );
    }
    let long_name = server.request(
        "PUT",
        &format!("{}?{API}", group_path(&"n".repeat(100))),
        r#"{"location":"eastus"}"#,
    );
    assert_eq!(long_name.status, 400, "{}", long_name.text());
    assert_eq!(long_name.json()["error"]["code"], "InvalidResourceName");
    let bad_utf8 = snaplab_console::serve::client::send(
        &server.base,
        "POST",
        "/snaplab/run",
        &[],
        &[0xff, 0xfe],
    )
    .unwrap();
    assert_eq!(bad_utf8.status, 400);
    assert_eq!(server.get("/snaplab/run").status, 405);
    alive(&server);

    let (status, _) = server.interrupt();
    assert!(status.success());
    assert_lab_file_verifies(&file);
}

#[test]
fn a_thousand_concurrent_requests_lose_nothing() {
    let dir = temp_dir("thousand");
    let file = dir.join("lab.snaplab");
    let server = Server::manual(&file);
    group_and_disk(&server, "rg1", "d1");
    let base = server.base.clone();
    // 50 clients, 20 requests each: every fifth one a PUT of a new full snapshot.
    let clients: Vec<_> = (0..50)
        .map(|c| {
            let base = base.clone();
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                for i in 0..20 {
                    let n = c * 20 + i;
                    let answer = if n % 5 == 0 {
                        let target = format!(
                            "{}?{API}",
                            resource_path("rg1", "snapshots", &format!("s{n}"))
                        );
                        snaplab_console::serve::client::send(
                            &base,
                            "PUT",
                            &target,
                            &[],
                            snapshot_body("rg1", "d1", false).as_bytes(),
                        )
                    } else {
                        let target = format!("{}?{API}", resource_path("rg1", "disks", "d1"));
                        snaplab_console::serve::client::send(&base, "GET", &target, &[], b"")
                    };
                    statuses.push(answer.map(|r| r.status));
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<_> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(statuses.len(), 1000);
    assert_eq!(
        statuses.iter().filter(|s| **s == Ok(202)).count(),
        200,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == Ok(200)).count(), 800);
    let (status, _) = server.interrupt();
    assert!(status.success());
    assert_lab_file_verifies(&file);
    let mut run = snaplab()
        .args(["run", "--state", file.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    run.stdin
        .take()
        .unwrap()
        .write_all(b"az snapshot list -g rg1 --query 'length(@)' -o tsv\n")
        .unwrap();
    let out = run.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200\n");
}
