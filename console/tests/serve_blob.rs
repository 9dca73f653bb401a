//! The SAS URLs `beginGetAccess` returns, read as the Blob service serves
//! them: properties, ranged reads, Get Page Ranges and the diff between
//! two snapshots of a family, with markers; a disk made for upload written
//! through its write SAS (Put Page); Storage's errors.

mod serve_support;

use serve_support::*;
use snaplab_console::serve::client::{send, Response};

/// A disk with 1 MiB written at 0, snapshot s1, then 64 KiB at 4 MiB and
/// 8 KiB at 8 MiB, snapshot s2; both granted. Their SAS URLs.
fn two_snapshots(server: &Server) -> (String, String) {
    group_and_disk(server, "rg1", "d1");
    let put = |name: &str| {
        let r = server.request(
            "PUT",
            &format!("{}?{API}", resource_path("rg1", "snapshots", name)),
            &snapshot_body("rg1", "d1", true),
        );
        assert_eq!(r.status, 202, "{}", r.text());
    };
    assert_eq!(
        server
            .run("sim write -g rg1 --disk d1 --offset 0 --length 1M -o none\n")
            .status,
        200
    );
    put("s1");
    let w = server.run("sim write -g rg1 --disk d1 --offset 4M --length 64K --seed 7 -o none\nsim write -g rg1 --disk d1 --offset 8M --length 8K --seed 8 -o none\n");
    assert_eq!(w.status, 200, "{}", w.text());
    put("s2");
    let grant = |name: &str| granted(server, "snapshots", name, "Read");
    (grant("s1"), grant("s2"))
}

/// The SAS URL `beginGetAccess` grants on `kind` `name` in `rg1` for an hour.
fn granted(server: &Server, kind: &str, name: &str, access: &str) -> String {
    let r = server.request(
        "POST",
        &format!("{}/beginGetAccess?{API}", resource_path("rg1", kind, name)),
        &format!(r#"{{"access":"{access}","durationInSeconds":3600}}"#),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    server
        .get(&target_of(server, r.header("location").unwrap()))
        .json()["accessSAS"]
        .as_str()
        .unwrap()
        .to_string()
}

fn blob(
    server: &Server,
    method: &str,
    sas: &str,
    extra_query: &str,
    headers: &[(&str, &str)],
) -> Response {
    let target = format!("{}{extra_query}", target_of(server, sas));
    send(&server.base, method, &target, headers, b"").unwrap()
}

fn ranges(xml: &str, tag: &str) -> Vec<(u64, u64)> {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .map(|part| {
            let num = |t: &str| {
                part.split(&format!("<{t}>"))
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            (num("Start"), num("End"))
        })
        .collect()
}

#[test]
fn reads_page_ranges_and_the_diff_through_the_sas_urls() {
    let server = Server::start(&["--clock", "manual"]);
    let (s1, s2) = two_snapshots(&server);
    assert!(
        s2.starts_with(&format!("{}/md-", server.base)),
        "served path-style here: {s2}"
    );

    let head = blob(&server, "HEAD", &s2, "", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("68719476736"));
    assert_eq!(head.header("x-ms-blob-type"), Some("PageBlob"));

    let new = blob(
        &server,
        "GET",
        &s2,
        "",
        &[("x-ms-range", "bytes=4194304-4194815")],
    );
    assert_eq!(new.status, 206);
    assert_eq!(
        new.header("content-range"),
        Some("bytes 4194304-4194815/68719476736")
    );
    assert_eq!(new.body.len(), 512);
    assert!(
        new.body.iter().any(|b| *b != 0),
        "s2 holds the write at 4 MiB"
    );
    let old = blob(
        &server,
        "GET",
        &s1,
        "",
        &[("Range", "bytes=4194304-4194815")],
    );
    assert!(old.body.iter().all(|b| *b == 0), "s1 was taken before it");
    // Unaligned ranges read the same bytes as the aligned read around them.
    let aligned = blob(&server, "GET", &s2, "", &[("x-ms-range", "bytes=0-1023")]).body;
    let unaligned = blob(&server, "GET", &s2, "", &[("x-ms-range", "bytes=100-799")]);
    assert_eq!(unaligned.body, aligned[100..800].to_vec());

    let all = blob(&server, "GET", &s2, "&comp=pagelist", &[]);
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(
        ranges(&all.text(), "PageRange"),
        vec![(0, 1048575), (4194304, 4259839), (8388608, 8396799)]
    );
    let diff = blob(
        &server,
        "GET",
        &s2,
        "&comp=pagelist",
        &[("x-ms-previous-snapshot-url", &s1)],
    );
    assert_eq!(diff.status, 200, "{}", diff.text());
    assert_eq!(
        ranges(&diff.text(), "PageRange"),
        vec![(4194304, 4259839), (8388608, 8396799)]
    );

    // maxresults and NextMarker page through the same diff.
    let first = blob(
        &server,
        "GET",
        &s2,
        "&comp=pagelist&maxresults=1",
        &[("x-ms-previous-snapshot-url", &s1)],
    )
    .text();
    assert_eq!(ranges(&first, "PageRange"), vec![(4194304, 4259839)]);
    let marker = first
        .split("<NextMarker>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let second = blob(
        &server,
        "GET",
        &s2,
        &format!("&comp=pagelist&maxresults=1&marker={marker}"),
        &[("x-ms-previous-snapshot-url", &s1)],
    )
    .text();
    assert_eq!(ranges(&second, "PageRange"), vec![(8388608, 8396799)]);
    assert!(second.contains("<NextMarker />"), "{second}");

    // The newer as the previous one: the engine refuses.
    let backwards = blob(
        &server,
        "GET",
        &s1,
        "&comp=pagelist",
        &[("x-ms-previous-snapshot-url", &s2)],
    );
    assert_eq!(backwards.status, 400);
    assert_eq!(
        backwards.header("x-ms-error-code"),
        Some("PreviousSnapshotCannotBeNewer")
    );
}

#[test]
fn bad_ranges_signatures_and_revoked_access_get_storage_errors() {
    let server = Server::start(&["--clock", "manual"]);
    let (_, s2) = two_snapshots(&server);
    let code = |r: &Response| {
        (
            r.status,
            r.header("x-ms-error-code").unwrap_or("").to_string(),
        )
    };

    for (range, expected) in [
        ("bytes=68719476736-68719477247", (416, "InvalidRange")),
        ("bytes=-5", (400, "InvalidHeaderValue")),
        ("bytes=10-5", (400, "InvalidHeaderValue")),
        ("pages=0-1", (400, "InvalidHeaderValue")),
        ("bytes=0-99999999999", (400, "InvalidRange")),
    ] {
        let r = blob(&server, "GET", &s2, "", &[("x-ms-range", range)]);
        assert_eq!(
            code(&r),
            (expected.0, expected.1.to_string()),
            "{range}: {}",
            r.text()
        );
        assert!(
            r.text().contains(&format!("<Code>{}</Code>", expected.1)),
            "{}",
            r.text()
        );
    }
    let whole = blob(&server, "GET", &s2, "", &[]);
    assert_eq!(
        code(&whole),
        (400, "InvalidRange".into()),
        "a 64 GiB read is over the simulator's limit"
    );
    let unaligned = blob(
        &server,
        "GET",
        &s2,
        "&comp=pagelist",
        &[("x-ms-range", "bytes=100-611")],
    );
    assert_eq!(code(&unaligned), (416, "InvalidPageRange".into()));
    let bad_max = blob(&server, "GET", &s2, "&comp=pagelist&maxresults=many", &[]);
    assert_eq!(code(&bad_max), (400, "InvalidQueryParameterValue".into()));
    let bad_marker = blob(&server, "GET", &s2, "&comp=pagelist&marker=zzz", &[]);
    assert_eq!(bad_marker.status, 400, "{}", bad_marker.text());

    let tampered = s2.replace("sig=SIMULATED", "sig=FORGED");
    assert_eq!(
        code(&blob(&server, "GET", &tampered, "&comp=pagelist", &[])),
        (403, "AuthenticationFailed".into())
    );
    // A valid SAS that does not grant reading: Storage's permission mismatch.
    let write_only = s2.replace("sp=r", "sp=w");
    assert_eq!(
        code(&blob(&server, "GET", &write_only, "&comp=pagelist", &[])),
        (403, "AuthorizationPermissionMismatch".into())
    );
    let elsewhere = format!(
        "{}/md-00000000/00000000000000000000000000000000/abcd?sig=SIMULATED&sp=r",
        server.base
    );
    assert_eq!(
        code(&blob(&server, "GET", &elsewhere, "", &[])),
        (404, "BlobNotFound".into())
    );
    let put = send(
        &server.base,
        "PUT",
        &format!("{}&comp=page", target_of(&server, &s2)),
        &[],
        b"",
    )
    .unwrap();
    // A snapshot's read SAS does not write.
    assert_eq!(code(&put), (403, "AuthorizationPermissionMismatch".into()));

    let end = server.request(
        "POST",
        &format!(
            "{}/endGetAccess?{API}",
            resource_path("rg1", "snapshots", "s2")
        ),
        "",
    );
    assert_eq!(end.status, 202);
    assert_eq!(
        code(&blob(&server, "GET", &s2, "&comp=pagelist", &[])),
        (403, "AuthenticationFailed".into()),
        "revoked"
    );
}

/// A disk made for upload (20 MiB and a footer) in `rg1`, and its write SAS.
fn upload_disk(server: &Server, name: &str) -> String {
    let r = server.request(
        "PUT",
        &format!("{}?{API}", group_path("rg1")),
        r#"{"location":"eastus"}"#,
    );
    assert!(r.status < 300, "{}", r.text());
    let r = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "disks", name)),
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Upload","uploadSizeBytes":20972032}}}"#,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    granted(server, "disks", name, "Write")
}

fn put_page(server: &Server, sas: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let target = format!("{}&comp=page", target_of(server, sas));
    send(&server.base, "PUT", &target, headers, body).unwrap()
}

#[test]
fn put_page_writes_a_disk_being_uploaded_and_refuses_what_storage_refuses() {
    let dir = temp_dir("serve-put-page");
    let file = dir.join("lab.snaplab");
    let server = Server::manual(&file);
    let sas = upload_disk(&server, "up");
    assert!(sas.contains("sp=rw"), "{sas}");
    let state = |server: &Server| {
        server
            .get(&format!("{}?{API}", resource_path("rg1", "disks", "up")))
            .json()["properties"]["diskState"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(state(&server), "ActiveUpload");

    let update = [
        ("x-ms-page-write", "update"),
        ("x-ms-range", "bytes=4096-8191"),
    ];
    let ok = put_page(&server, &sas, &update, &[0xab; 4096]);
    assert_eq!(ok.status, 201, "{}", ok.text());
    // The footer, the disk's last page.
    let footer = [
        ("x-ms-page-write", "update"),
        ("x-ms-range", "bytes=20971520-20972031"),
    ];
    assert_eq!(put_page(&server, &sas, &footer, &[0x63; 512]).status, 201);

    type Refusal<'a> = (&'a [(&'a str, &'a str)], Vec<u8>, (u16, &'a str));
    let refusals: [Refusal; 8] = [
        // A body shorter and one longer than the range.
        (&update, vec![1; 512], (400, "InvalidHeaderValue")),
        (&update, vec![1; 8192], (400, "InvalidHeaderValue")),
        // Not whole pages.
        (
            &[
                ("x-ms-page-write", "update"),
                ("x-ms-range", "bytes=100-611"),
            ],
            vec![1; 512],
            (416, "InvalidPageRange"),
        ),
        // More than 4 MiB in one Put Page.
        (
            &[
                ("x-ms-page-write", "update"),
                ("x-ms-range", "bytes=0-4194815"),
            ],
            vec![1; 4 * 1024 * 1024 + 512],
            (413, "RequestBodyTooLarge"),
        ),
        // Past the end of the disk.
        (
            &[
                ("x-ms-page-write", "update"),
                ("x-ms-range", "bytes=20972032-20972543"),
            ],
            vec![1; 512],
            (416, "InvalidPageRange"),
        ),
        // No x-ms-page-write, an unknown one, and no range.
        (
            &[("x-ms-range", "bytes=0-511")],
            vec![1; 512],
            (400, "MissingRequiredHeader"),
        ),
        (
            &[("x-ms-page-write", "append"), ("x-ms-range", "bytes=0-511")],
            vec![1; 512],
            (400, "InvalidHeaderValue"),
        ),
        (
            &[("x-ms-page-write", "update")],
            vec![1; 512],
            (400, "MissingRequiredHeader"),
        ),
    ];
    for (headers, body, expected) in &refusals {
        let r = put_page(&server, &sas, headers, body);
        assert_eq!(
            (r.status, r.header("x-ms-error-code").unwrap_or("")),
            *expected,
            "{headers:?}: {}",
            r.text()
        );
    }
    // A clear is a write too, and takes no body.
    let clear = [
        ("x-ms-page-write", "clear"),
        ("x-ms-range", "bytes=4096-4607"),
    ];
    assert_eq!(put_page(&server, &sas, &clear, b"").status, 201);

    // The disk's page ranges through the same SAS: what was written, less the cleared page.
    let list = blob(&server, "GET", &sas, "&comp=pagelist", &[]);
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(
        ranges(&list.text(), "PageRange"),
        vec![(4608, 8191), (20971520, 20972031)]
    );
    let bytes = blob(
        &server,
        "GET",
        &sas,
        "",
        &[("x-ms-range", "bytes=8190-8193")],
    );
    assert_eq!(bytes.body, vec![0xab, 0xab, 0, 0]);

    // Revoked: the upload is over, the SAS writes no more.
    let end = server.request(
        "POST",
        &format!("{}/endGetAccess?{API}", resource_path("rg1", "disks", "up")),
        "",
    );
    assert_eq!(end.status, 202, "{}", end.text());
    assert_eq!(state(&server), "Unattached");
    let late = put_page(&server, &sas, &update, &[0xcd; 4096]);
    assert_eq!(late.status, 403, "{}", late.text());
    let (status, _) = server.interrupt();
    assert!(status.success());
    assert_lab_file_verifies(&file);
}

/// A write SAS stops writing when its duration has passed on the lab's
/// clock (the disk stays ActiveUpload until revoked); a read SAS ends.
#[test]
fn a_sas_past_its_expiry_is_refused() {
    let server = Server::start(&["--clock", "manual"]);
    let r = server.request(
        "PUT",
        &format!("{}?{API}", group_path("rg1")),
        r#"{"location":"eastus"}"#,
    );
    assert!(r.status < 300, "{}", r.text());
    let r = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "disks", "up")),
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Upload","uploadSizeBytes":20972032}}}"#,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let r = server.request(
        "POST",
        &format!(
            "{}/beginGetAccess?{API}",
            resource_path("rg1", "disks", "up")
        ),
        r#"{"access":"Write","durationInSeconds":60}"#,
    );
    let sas = server
        .get(&target_of(&server, r.header("location").unwrap()))
        .json()["accessSAS"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sas.contains("se=2026-01-05T10%3A01%3A00Z"), "{sas}");
    let update = [("x-ms-page-write", "update"), ("x-ms-range", "bytes=0-511")];
    assert_eq!(put_page(&server, &sas, &update, &[1; 512]).status, 201);
    assert_eq!(server.run("sim clock advance 2m\n").status, 200);
    let late = put_page(&server, &sas, &update, &[2; 512]);
    assert_eq!(
        (late.status, late.header("x-ms-error-code")),
        (403, Some("AuthenticationFailed")),
        "{}",
        late.text()
    );
    assert!(
        late.text().contains("Signed expiry time"),
        "{}",
        late.text()
    );
}
