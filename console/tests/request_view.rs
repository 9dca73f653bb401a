//! The console's request view (issue 22 item 8): the requests behind each
//! az command, answered by `snaplab serve`'s router over a copy of the lab.
//! Which requests real az 2.91.0 sends is checked against az itself in
//! tests/realaz; here: that routing them leaves the lab exactly as the
//! console's own command did (so the view shows what the command really
//! does), that a refusal stops where az stops, and the toggle.

use snaplab_console::az::requests::{for_command_line, python_json, resources};
use snaplab_console::{Console, Line};
use snaplab_engine::Lab;

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// Runs `line` on the console, and its requests on a copy of the lab as it
/// was: the (method, path, status) of each, after checking that both labs
/// hold the same resources.
fn routed(console: &mut Console, line: &str) -> Vec<(String, String, u16)> {
    let before = console.lab.clone();
    let transcript = console.run(line);
    let (sent, after) = for_command_line(&words(line), before).expect("requests shown");
    assert_eq!(
        resources(&after),
        resources(&console.lab),
        "{line}: routing its requests left another lab than the console's command\n{transcript:?}"
    );
    sent.into_iter()
        .map(|e| {
            let path = e
                .url
                .trim_start_matches("https://management.azure.com/subscriptions/00000000-0000-0000-0000-5a0b1ab00001")
                .split('?')
                .next()
                .unwrap()
                .to_string();
            (e.method.to_string(), path, e.status)
        })
        .collect()
}

fn seq(items: &[(&str, &str, u16)]) -> Vec<(String, String, u16)> {
    items
        .iter()
        .map(|(m, p, s)| (m.to_string(), p.to_string(), *s))
        .collect()
}

const OP: &str = "/providers/Microsoft.Compute/locations/eastus/DiskOperations/5a0b1ab7-0000-4000-8000-000000000001";
const D1: &str = "/resourceGroups/rg/providers/Microsoft.Compute/disks/d1";

#[test]
fn routing_a_commands_requests_leaves_the_lab_the_console_leaves() {
    let mut c = Console::new(Lab::new());
    assert_eq!(
        routed(&mut c, "az group create -n rg -l eastus"),
        seq(&[("PUT", "/resourcegroups/rg", 201)])
    );
    assert_eq!(
        routed(
            &mut c,
            "az disk create -g rg -n d1 --size-gb 64 --sku Premium_LRS"
        ),
        seq(&[
            ("GET", "/resourcegroups/rg", 200),
            ("PUT", D1, 202),
            ("GET", OP, 200),
            ("GET", OP, 200),
        ])
    );
    c.run("sim write -g rg --disk d1 --offset 0 --length 1M");
    // A source by name: az looks for a snapshot first, then a disk.
    assert_eq!(
        routed(
            &mut c,
            "az snapshot create -g rg -n s1 --source d1 --incremental true"
        )[..3],
        seq(&[
            (
                "GET",
                "/resourceGroups/rg/providers/Microsoft.Compute/snapshots/d1",
                404
            ),
            ("GET", D1, 200),
            ("GET", "/resourcegroups/rg", 200),
        ])[..]
    );
    c.run("sim clock advance 10m");
    for line in [
        "az disk update -g rg -n d1 --size-gb 128",
        "az disk create -g rg -n d2 --source s1",
        "az snapshot grant-access -g rg -n s1 --duration-in-seconds 600",
        "az snapshot revoke-access -g rg -n s1",
        "az disk update -g rg -n d2 --sku StandardSSD_LRS",
        "az snapshot show -g rg -n s1",
        "az disk list -g rg",
        "az snapshot list",
        "az disk delete -g rg -n d2 --yes",
    ] {
        let sent = routed(&mut c, line);
        assert!(
            sent.iter()
                .all(|(_, _, status)| (200..300).contains(status)),
            "{line}: {sent:?}"
        );
    }
    // An incremental snapshot of a source in another region is a CopyStart
    // (az's autodetection when --copy-start is not given).
    let id = "/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s1";
    let line =
        format!("az snapshot create -g rg -n s1-west -l westus --source {id} --incremental true");
    let before = c.lab.clone();
    let (sent, _) = for_command_line(&words(&line), before).unwrap();
    let put = sent.iter().find(|e| e.method == "PUT").unwrap();
    assert!(
        put.body
            .as_deref()
            .unwrap()
            .contains(r#""createOption": "CopyStart""#),
        "{put:?}"
    );
    routed(&mut c, &line);
}

#[test]
fn a_refused_request_is_where_az_stops_and_changes_nothing() {
    let mut c = Console::new(Lab::new());
    c.run("az group create -n rg -l eastus\naz disk create -g rg -n d1 --size-gb 64");
    let sent = routed(&mut c, "az disk update -g rg -n d1 --size-gb 32");
    assert_eq!(
        sent,
        seq(&[("GET", D1, 200), ("PUT", D1, 409)]),
        "a disk never shrinks: the PUT is refused and nothing is polled"
    );
    let sent = routed(&mut c, "az disk show -g rg -n nope");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].2, 404);
}

#[test]
fn the_toggle_and_debug_show_the_requests_and_nothing_shows_them_otherwise() {
    let mut c = Console::new(Lab::new());
    let err = |t: &snaplab_console::Transcript| {
        t.lines
            .iter()
            .filter_map(|l| match l {
                Line::Err(s) => Some(s.clone()),
                Line::Out(_) => None,
            })
            .collect::<Vec<_>>()
    };
    let plain = c.run("az group create -n rg -l eastus -o none");
    assert!(err(&plain).is_empty(), "{plain:?}");
    let debug = c.run("az group show -n rg -o none --debug");
    assert_eq!(
        err(&debug)[..2],
        [
            "Request URL: 'https://management.azure.com/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourcegroups/rg?api-version=2024-11-01'".to_string(),
            "Request method: 'GET'".to_string(),
        ]
    );
    c.show_requests(true);
    let shown = c.run(
        "az disk create -g rg -n d1 --size-gb 8 -o none\nsim clock show\naz account show -o none",
    );
    let lines = err(&shown);
    assert!(lines.contains(&"Request body:".to_string()), "{lines:?}");
    assert!(
        lines.contains(&r#"{"location": "eastus", "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}, "sku": {"name": "Premium_LRS"}, "tags": {}}"#.to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Response status: 202".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("(simulator only")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("(no request: az reads")),
        "{lines:?}"
    );
    // An argument error: az sends nothing.
    let usage = c.run("az disk create -g rg --size-gb 8");
    assert!(
        !err(&usage).iter().any(|l| l.starts_with("Request URL")),
        "{usage:?}"
    );
    // An error of az's custom code comes after its reads (the group, for
    // its location) and before its write: no PUT.
    let custom = err(&c.run("az disk create -g rg -n d2"));
    let methods: Vec<&String> = custom
        .iter()
        .filter(|l| l.starts_with("Request method"))
        .collect();
    assert_eq!(methods, ["Request method: 'GET'"], "{custom:?}");
    assert_eq!(
        custom.last().unwrap(),
        "ERROR: usage error: --size-gb is required to create an empty disk"
    );
    c.show_requests(false);
    let off = c.run("az disk show -g rg -n d1 -o none");
    assert!(err(&off).is_empty(), "{off:?}");
}

#[test]
fn bodies_are_written_as_pythons_json_dumps_writes_them() {
    let value = serde_json::json!({"b": [1, "x\"y"], "a": {"é": null, "t": true}});
    assert_eq!(
        python_json(&value),
        r#"{"a": {"t": true, "\u00e9": null}, "b": [1, "x\"y"]}"#
    );
}

#[test]
fn the_apps_console_can_tell_the_request_lines_from_errors() {
    use snaplab_console::az::requests::request_lines;
    let mut c = Console::new(Lab::new());
    c.show_requests(true);
    let t = c.run("az group create -n rg -l eastus -o none\naz group delete -n rg --yes\naz disk show -g rg -n d1");
    let marks = request_lines(&t.lines);
    let unmarked: Vec<&Line> = t
        .lines
        .iter()
        .zip(&marks)
        .filter(|(_, m)| !**m)
        .map(|(l, _)| l)
        .collect();
    // Everything but the 404's own error message is the request view.
    assert!(!unmarked.is_empty());
    assert!(
        unmarked
            .iter()
            .all(|l| matches!(l, Line::Err(s) if s.starts_with("ERROR: ") || s.starts_with("Code: ") || s.starts_with("Message: "))),
        "{unmarked:?}"
    );
    assert!(
        t.lines
            .iter()
            .zip(&marks)
            .any(|(l, m)| *m && matches!(l, Line::Err(s) if s.starts_with('{'))),
        "a body line is marked"
    );
}

#[test]
fn a_group_made_again_elsewhere_is_refused_as_arm_refuses_it() {
    let mut c = Console::new(Lab::new());
    c.run("az group create -n rg -l eastus -o none");
    let t = c.run("az group create -n rg -l westus -o none");
    assert_eq!(t.status, 1);
    assert_eq!(
        t.stderr(),
        "ERROR: (InvalidResourceGroupLocation) Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'.\nCode: InvalidResourceGroupLocation\nMessage: Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'.\n"
    );
    // The same location again is fine; the endpoint answers the same (routed).
    let sent = routed(&mut c, "az group create -n rg -l eastus");
    assert_eq!(sent, seq(&[("PUT", "/resourcegroups/rg", 200)]));
}
