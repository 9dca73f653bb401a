//! `snaplab serve`'s management plane, spoken to over HTTP as the SDKs do:
//! status codes, headers, the bodies' keys and values, long-running
//! operations polled to their end, and ARM's errors.

mod serve_support;

use serde_json::Value;
use serve_support::*;

#[test]
fn subscriptions_and_resource_groups() {
    let server = Server::start(&["--clock", "manual"]);
    let subs = server.get(&format!("/subscriptions?{API}"));
    assert_eq!(subs.status, 200);
    let subs = subs.json();
    assert_eq!(subs["value"][0]["subscriptionId"], SUB);
    assert_eq!(subs["value"][0]["id"], format!("/subscriptions/{SUB}"));
    assert_eq!(
        server.get(&format!("/subscriptions/{SUB}?{API}")).json()["state"],
        "Enabled"
    );

    let put = |body: &str| server.request("PUT", &format!("{}?{API}", group_path("rg1")), body);
    let created = put(r#"{"location":"eastus"}"#);
    assert_eq!(created.status, 201);
    let body = created.json();
    assert_eq!(body["id"], group_path("rg1"));
    assert_eq!(body["location"], "eastus");
    assert_eq!(body["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        put(r#"{"location":"eastus"}"#).status,
        200,
        "PUT again is an update"
    );
    let moved = put(r#"{"location":"westus"}"#);
    assert_eq!(moved.status, 409);
    assert_eq!(
        moved.json()["error"]["code"],
        "InvalidResourceGroupLocation"
    );
    assert_eq!(put("{}").json()["error"]["code"], "LocationRequired");

    // ARM matches the path without regard to case.
    let lower = server.get(&format!("/SUBSCRIPTIONS/{SUB}/resourcegroups/RG1?{API}"));
    assert_eq!(lower.status, 200);
    assert_eq!(lower.json()["name"], "rg1");
    let list = server
        .get(&format!("/subscriptions/{SUB}/resourcegroups?{API}"))
        .json();
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        server
            .request("HEAD", &format!("{}?{API}", group_path("rg1")), "")
            .status,
        204
    );
    assert_eq!(
        server
            .request("HEAD", &format!("{}?{API}", group_path("nope")), "")
            .status,
        404
    );

    let missing = server.get(&format!("{}?{API}", group_path("nope")));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "ResourceGroupNotFound");

    let deleted = server.request("DELETE", &format!("{}?{API}", group_path("rg1")), "");
    assert_eq!(deleted.status, 202);
    let location = deleted
        .header("location")
        .expect("a Location header")
        .to_string();
    // The operation's result: 200 with no body, as ARM ends a delete (and as
    // the JavaScript SDK's poller needs: a 204 there fails it).
    let result = server.get(&target_of(&server, &location));
    assert_eq!((result.status, result.body.len()), (200, 0));
    assert_eq!(
        server.get(&format!("{}?{API}", group_path("rg1"))).status,
        404
    );
}

#[test]
fn disks_and_snapshots_through_their_whole_life() {
    let server = Server::start(&["--clock", "manual"]);
    group_and_disk(&server, "rg1", "d1");
    let disk_path = resource_path("rg1", "disks", "d1");
    let disk = server.get(&format!("{disk_path}?{API}"));
    assert_eq!(disk.status, 200);
    let disk = disk.json();
    assert_eq!(disk["id"], disk_path);
    assert_eq!(disk["sku"]["name"], "Premium_LRS");
    assert_eq!(disk["properties"]["diskSizeGB"], 64);
    assert_eq!(disk["properties"]["creationData"]["createOption"], "Empty");
    assert_eq!(disk["properties"]["diskState"], "Unattached");

    let write = server.run("sim write -g rg1 --disk d1 --offset 0 --length 1M -o none\n");
    assert_eq!(write.status, 200, "{}", write.text());

    let full_path = resource_path("rg1", "snapshots", "full1");
    let full = server.request(
        "PUT",
        &format!("{full_path}?{API}"),
        &snapshot_body("rg1", "d1", false),
    );
    assert_eq!(full.status, 202);
    assert_eq!(full.json()["properties"]["incremental"], false);
    let incr_path = resource_path("rg1", "snapshots", "inc1");
    let incr = server.request(
        "PUT",
        &format!("{incr_path}?{API}"),
        &snapshot_body("rg1", "d1", true),
    );
    assert_eq!(incr.status, 202);
    let status_url = incr
        .header("azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_string();
    assert!(
        status_url.contains("/DiskOperations/") && status_url.contains(API),
        "{status_url}"
    );
    let status = server.get(&target_of(&server, &status_url)).json();
    assert_eq!(status["status"], "Succeeded");
    let location = incr.header("location").expect("Location").to_string();
    let result = server.get(&target_of(&server, &location));
    assert_eq!(result.status, 200);
    let snap = result.json();
    assert_eq!(snap["properties"]["incremental"], true);
    assert_eq!(
        snap["properties"]["creationData"]["sourceResourceId"],
        disk_path
    );
    assert!(snap["properties"]["incrementalSnapshotFamilyId"].is_string());

    let by_group = server
        .get(&format!(
            "{}/providers/Microsoft.Compute/snapshots?{API}",
            group_path("rg1")
        ))
        .json();
    let names: Vec<&str> = by_group["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"full1") && names.contains(&"inc1"));
    let by_sub = server
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/disks?{API}"
        ))
        .json();
    assert_eq!(by_sub["value"][0]["name"], "d1");

    // PATCH: a bigger disk (az disk update --size-gb), a smaller one refused by the engine (B7).
    let grown = server.request(
        "PATCH",
        &format!("{disk_path}?{API}"),
        r#"{"properties":{"diskSizeGB":128}}"#,
    );
    assert_eq!(grown.status, 202, "{}", grown.text());
    assert_eq!(grown.json()["properties"]["diskSizeGB"], 128);
    let shrunk = server.request(
        "PATCH",
        &format!("{disk_path}?{API}"),
        r#"{"properties":{"diskSizeGB":32}}"#,
    );
    assert_eq!(shrunk.status, 409, "{}", shrunk.text());
    assert_eq!(shrunk.json()["error"]["code"], "OperationNotAllowed");

    // PUT again is create-or-update: the same body changes nothing, a
    // bigger size grows the disk (the sku left out stays as it is), a new
    // region is refused by the engine.
    let again = |body: &str| server.request("PUT", &format!("{disk_path}?{API}"), body);
    let same = again(
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":128}}"#,
    );
    assert_eq!(same.status, 202, "{}", same.text());
    assert_eq!(same.json()["sku"]["name"], "Premium_LRS");
    let bigger = again(
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":256}}"#,
    );
    assert_eq!(bigger.json()["properties"]["diskSizeGB"], 256);
    let moved = again(
        r#"{"location":"westus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":256}}"#,
    );
    assert_eq!(moved.status, 409);
    assert_eq!(moved.json()["error"]["code"], "PropertyChangeNotAllowed");

    // A Premium SSD's tier, IOPS and MB/s come from its size; `az disk
    // update --size-gb` PUTs back the ones it read, which the new size's
    // baseline supersedes. Asking for more than the baseline is refused as
    // not modelled, never ignored.
    let read = server.get(&format!("{disk_path}?{API}")).json();
    assert_eq!(read["properties"]["tier"], "P15", "256 GiB: {read}");
    let mut echoed = read.clone();
    echoed["properties"]["diskSizeGB"] = 512.into();
    let resized = again(&echoed.to_string());
    assert_eq!(resized.status, 202, "{}", resized.text());
    let resized = resized.json();
    assert_eq!(resized["properties"]["diskSizeGB"], 512);
    assert_eq!(resized["properties"]["tier"], "P20");
    assert_eq!(resized["properties"]["diskIOPSReadWrite"], 2300);
    for (key, value) in [
        ("tier", serde_json::json!("P30")),
        ("diskIOPSReadWrite", serde_json::json!(5000)),
    ] {
        let mut higher = resized.clone();
        higher["properties"][key] = value;
        let refused = again(&higher.to_string());
        assert_eq!(refused.status, 400, "{key}: {}", refused.text());
        let message = refused.json()["error"]["message"].to_string();
        assert!(
            message.contains("P20") && message.contains(key),
            "{message}"
        );
        let patched = server.request(
            "PATCH",
            &format!("{disk_path}?{API}"),
            &serde_json::json!({ "properties": { key: higher["properties"][key] } }).to_string(),
        );
        assert_eq!(patched.status, 400, "PATCH {key}: {}", patched.text());
    }
    assert_eq!(
        server.get(&format!("{disk_path}?{API}")).json()["properties"]["tier"],
        "P20",
        "a refused tier leaves the disk as it was"
    );
    let patch_source = server.request(
        "PATCH",
        &format!("{incr_path}?{API}"),
        r#"{"properties":{"creationData":{"createOption":"Copy"}}}"#,
    );
    assert_eq!(
        patch_source.status,
        400,
        "SnapshotUpdate has no creationData: {}",
        patch_source.text()
    );

    // Grant access: the SAS comes from the operation's Location.
    let grant = server.request(
        "POST",
        &format!("{incr_path}/beginGetAccess?{API}"),
        r#"{"access":"Read","durationInSeconds":3600}"#,
    );
    assert_eq!(grant.status, 202);
    let sas = server
        .get(&target_of(&server, grant.header("location").unwrap()))
        .json();
    assert!(sas["accessSAS"].as_str().unwrap().contains("sig="), "{sas}");
    assert_eq!(
        server.get(&format!("{incr_path}?{API}")).json()["properties"]["diskState"],
        "ActiveSAS"
    );
    let end = server.request("POST", &format!("{incr_path}/endGetAccess?{API}"), "");
    assert_eq!(end.status, 202);
    assert_eq!(
        server.get(&format!("{incr_path}?{API}")).json()["properties"]["diskState"],
        "Unattached"
    );

    let deleted = server.request("DELETE", &format!("{full_path}?{API}"), "");
    assert_eq!(deleted.status, 202);
    let gone = server.get(&format!("{full_path}?{API}"));
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["error"]["code"], "ResourceNotFound");
    assert_eq!(
        server
            .request("DELETE", &format!("{full_path}?{API}"), "")
            .status,
        204
    );
}

#[test]
fn a_copy_to_another_region_is_created_at_once_and_copied_as_the_lab_clock_moves() {
    let server = Server::start(&["--clock", "manual"]);
    group_and_disk(&server, "rg1", "d1");
    server.run("sim write -g rg1 --disk d1 --offset 0 --length 8G -o none\n");
    let source = resource_path("rg1", "snapshots", "inc1");
    assert_eq!(
        server
            .request(
                "PUT",
                &format!("{source}?{API}"),
                &snapshot_body("rg1", "d1", true)
            )
            .status,
        202
    );
    let body = format!(
        r#"{{"location":"westus","properties":{{"creationData":{{"createOption":"CopyStart","sourceResourceId":"{source}"}},"incremental":true}}}}"#
    );
    let copy = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "snapshots", "inc1-west")),
        &body,
    );
    assert_eq!(copy.status, 202, "{}", copy.text());
    // The create has ended (ARM's create returns once the snapshot is
    // there); the copy goes on, as the snapshot's completionPercent says.
    let status_target = target_of(&server, copy.header("azure-asyncoperation").unwrap());
    let status = server.get(&status_target);
    assert_eq!(status.json()["status"], "Succeeded", "{}", status.text());
    let monitor = target_of(&server, copy.header("location").unwrap());
    let created = server.get(&monitor);
    assert_eq!(created.status, 200, "{}", created.text());
    let percent = |body: &serde_json::Value| body["properties"]["completionPercent"].as_f64();
    assert!(
        percent(&created.json()).is_some_and(|p| p < 100.0),
        "{}",
        created.text()
    );

    assert_eq!(server.run("sim clock advance 1h\n").status, 200);
    let copied = server.get(&monitor).json();
    assert_eq!(percent(&copied), Some(100.0), "{copied}");
    assert_eq!(copied["location"], "westus");
}

#[test]
fn bad_requests_get_clear_4xx_and_the_rest_501() {
    let server = Server::start(&["--clock", "manual"]);
    group_and_disk(&server, "rg1", "d1");
    let code = |r: &Response| r.json()["error"]["code"].as_str().unwrap_or("").to_string();

    let no_version = server.get(&format!("/subscriptions/{SUB}/resourcegroups"));
    assert_eq!(
        (no_version.status, code(&no_version).as_str()),
        (400, "MissingApiVersionParameter")
    );
    for bad in ["2018-06-01", "latest", "2025-1-02", ""] {
        let r = server.get(&format!(
            "/subscriptions/{SUB}/resourcegroups?api-version={bad}"
        ));
        assert_eq!(
            (r.status, code(&r).as_str()),
            (400, "InvalidApiVersionParameter"),
            "{bad}"
        );
    }
    assert_eq!(
        server
            .get(&format!(
                "/subscriptions/{SUB}/resourcegroups?api-version=2019-03-01"
            ))
            .status,
        200
    );
    assert_eq!(
        server
            .get(&format!(
                "/subscriptions/{SUB}/resourcegroups?api-version=2026-06-01-preview"
            ))
            .status,
        200
    );

    let disk = resource_path("rg1", "disks", "d2");
    for (body, expected) in [
        ("{not json", "InvalidRequestContent"),
        ("[1,2]", "InvalidRequestContent"),
        (
            r#"{"location":"eastus","properties":{"creationData":{"createOption":"Empty"}}}"#,
            "InvalidParameter",
        ),
        (
            r#"{"location":"eastus","properties":{"diskSizeGB":"big","creationData":{"createOption":"Empty"}}}"#,
            "InvalidParameter",
        ),
        (
            r#"{"location":"eastus","properties":{"burstingEnabled":true,"diskSizeGB":8,"creationData":{"createOption":"Empty"}}}"#,
            "InvalidParameter",
        ),
        (
            r#"{"properties":{"diskSizeGB":8,"creationData":{"createOption":"Empty"}}}"#,
            "LocationRequired",
        ),
        (
            r#"{"location":"eastus","sku":{"name":"Fast_LRS"},"properties":{"diskSizeGB":8,"creationData":{"createOption":"Empty"}}}"#,
            "InvalidParameter",
        ),
    ] {
        let r = server.request("PUT", &format!("{disk}?{API}"), body);
        assert_eq!(
            (r.status, code(&r).as_str()),
            (400, expected),
            "{body}: {}",
            r.text()
        );
    }
    // Upload needs its size; with it, the disk waits for its VHD.
    let upload = server.request(
        "PUT",
        &format!("{disk}?{API}"),
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Upload"}}}"#,
    );
    assert_eq!(
        (upload.status, code(&upload).as_str()),
        (400, "InvalidParameter"),
        "{}",
        upload.text()
    );
    assert!(
        upload.text().contains("uploadSizeBytes"),
        "{}",
        upload.text()
    );
    let uploaded = resource_path("rg1", "disks", "up1");
    let upload = server.request(
        "PUT",
        &format!("{uploaded}?{API}"),
        r#"{"location":"eastus","properties":{"creationData":{"createOption":"Upload","uploadSizeBytes":20972032}}}"#,
    );
    assert!(upload.status < 300, "{}", upload.text());
    let shown = server.get(&format!("{uploaded}?{API}"));
    assert!(
        shown.text().contains(r#""diskState":"ReadyToUpload""#),
        "{}",
        shown.text()
    );

    let in_missing_group = server.request("PUT", &format!("{}?{API}", resource_path("nope", "disks", "d")), r#"{"location":"eastus","properties":{"diskSizeGB":8,"creationData":{"createOption":"Empty"}}}"#);
    assert_eq!(
        (in_missing_group.status, code(&in_missing_group).as_str()),
        (404, "ResourceGroupNotFound")
    );
    let patch_missing = server.request(
        "PATCH",
        &format!("{disk}?{API}"),
        r#"{"properties":{"diskSizeGB":8}}"#,
    );
    assert_eq!(
        (patch_missing.status, code(&patch_missing).as_str()),
        (404, "ResourceNotFound")
    );
    let snapshot_of_nothing = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "snapshots", "s")),
        &snapshot_body("rg1", "ghost", true),
    );
    assert_eq!(
        (
            snapshot_of_nothing.status,
            code(&snapshot_of_nothing).as_str()
        ),
        (404, "ResourceNotFound")
    );
    let bad_name = server.request("PUT", &format!("{}?{API}", resource_path("rg1", "disks", "bad*name")), r#"{"location":"eastus","properties":{"diskSizeGB":8,"creationData":{"createOption":"Empty"}}}"#);
    assert_eq!(
        (bad_name.status, code(&bad_name).as_str()),
        (400, "InvalidResourceName")
    );

    let unknown_sub = server.get(&format!(
        "/subscriptions/11111111-0000-0000-0000-000000000000/resourcegroups?{API}"
    ));
    assert_eq!(
        (unknown_sub.status, code(&unknown_sub).as_str()),
        (404, "SubscriptionNotFound")
    );
    for path in [
        format!("/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks?{API}"),
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g?{API}"
        ),
        format!("/tenants?{API}"),
    ] {
        let r = server.get(&path);
        assert_eq!(
            (r.status, code(&r).as_str()),
            (501, "NotImplemented"),
            "{path}"
        );
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("does not serve GET"),
            "{}",
            r.text()
        );
    }
    let empty_segment = server.get(&format!("/subscriptions//resourcegroups?{API}"));
    assert_eq!(
        (empty_segment.status, code(&empty_segment).as_str()),
        (400, "InvalidRequestUri")
    );
    let grant = server.request(
        "POST",
        &format!(
            "{}/beginGetAccess?{API}",
            resource_path("rg1", "disks", "d1")
        ),
        r#"{"access":"Read"}"#,
    );
    assert_eq!(
        (grant.status, code(&grant).as_str()),
        (400, "InvalidParameter")
    );
    let op = server.get(&format!("/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/DiskOperations/none?{API}"));
    assert_eq!((op.status, code(&op).as_str()), (404, "OperationNotFound"));
}

#[test]
fn the_engines_rules_apply_with_their_codes() {
    let server = Server::start(&["--clock", "manual"]);
    group_and_disk(&server, "rg1", "d1");
    // B1: at most 7 incremental snapshots of a disk in 5 minutes.
    for n in 1..=7 {
        let r = server.request(
            "PUT",
            &format!(
                "{}?{API}",
                resource_path("rg1", "snapshots", &format!("s{n}"))
            ),
            &snapshot_body("rg1", "d1", true),
        );
        assert_eq!(r.status, 202, "{n}: {}", r.text());
    }
    let eighth = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "snapshots", "s8")),
        &snapshot_body("rg1", "d1", true),
    );
    assert_eq!(eighth.status, 409);
    let body: Value = eighth.json();
    assert_eq!(body["error"]["code"], "SnapshotOperationRateExceeded");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("B1"),
        "{body}"
    );
    // A snapshot cannot become incremental after it was made.
    let flip = server.request(
        "PUT",
        &format!("{}?{API}", resource_path("rg1", "snapshots", "s1")),
        &snapshot_body("rg1", "d1", false),
    );
    assert_eq!(flip.status, 409);
    assert_eq!(flip.json()["error"]["code"], "PropertyChangeNotAllowed");
    // A snapshot's storage changes with a PATCH of its sku.
    let sku = server.request(
        "PATCH",
        &format!("{}?{API}", resource_path("rg1", "snapshots", "s1")),
        r#"{"sku":{"name":"Standard_LRS"}}"#,
    );
    assert_eq!(sku.status, 202, "{}", sku.text());
    assert_eq!(sku.json()["sku"]["name"], "Standard_LRS");
}

/// A template deployment as az sends it: the template file's text inline,
/// after an unquoted key, comments and all; validate, deploy, show; a
/// refused template changes nothing.
#[test]
fn deployments_run_the_template_as_az_sends_it() {
    let server = Server::start(&["--clock", "manual"]);
    group_and_disk(&server, "rg1", "d1");
    let path = |name: &str| {
        format!(
            "{}/providers/Microsoft.Resources/deployments/{name}?api-version=2024-11-01",
            group_path("rg1")
        )
    };
    let template = r#"{
      // a snapshot of d1 (a comment, as JSONC templates have)
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "parameters": { "name": { "type": "string" } },
      "resources": [{
        "type": "Microsoft.Compute/snapshots", "apiVersion": "2023-10-02",
        "name": "[parameters('name')]", "location": "eastus",
        "properties": { "creationData": { "createOption": "Copy", "sourceResourceId": "[resourceId('Microsoft.Compute/disks', 'd1')]" }, "incremental": true },
      }],
      "outputs": { "id": { "type": "string", "value": "[resourceId('Microsoft.Compute/snapshots', parameters('name'))]" } }
    }"#;
    let body = |name: &str| {
        format!(
            r#"{{"properties": {{"parameters": {{"name": {{"value": "{name}"}}}}, "mode": "Incremental", template:{template}}}}}"#
        )
    };
    let validated = server.request(
        "POST",
        &path("dep1").replace("?", "/validate?"),
        &body("s1"),
    );
    assert_eq!(validated.status, 200, "{}", validated.text());
    let snapshot = format!("{}?{API}", resource_path("rg1", "snapshots", "s1"));
    assert_eq!(
        server.get(&snapshot).status,
        404,
        "validate changes nothing"
    );

    let put = server.request("PUT", &path("dep1"), &body("s1"));
    assert_eq!(put.status, 201, "{}", put.text());
    assert!(put.header("azure-asyncoperation").is_some());
    let shown = server.get(&path("dep1")).json();
    assert_eq!(shown["properties"]["provisioningState"], "Succeeded");
    assert!(shown["properties"]["outputs"]["id"]["value"]
        .as_str()
        .unwrap()
        .ends_with("/snapshots/s1"));
    assert_eq!(server.get(&snapshot).status, 200);

    // A template the evaluator refuses: 400 InvalidTemplate, nothing made.
    let bad = body("s2").replace("[parameters('name')]", "[parameters('nope')]");
    let refused = server.request("PUT", &path("dep2"), &bad);
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.json()["error"]["code"], "InvalidTemplate");
    assert_eq!(
        server
            .get(&format!(
                "{}?{API}",
                resource_path("rg1", "snapshots", "s2")
            ))
            .status,
        404
    );
    assert_eq!(server.get(&path("dep2")).status, 404);
    let unknown = server.get(&path("nope"));
    assert_eq!(unknown.json()["error"]["code"], "DeploymentNotFound");
}
