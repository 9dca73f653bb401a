//! The REST model's tests: every body survives a round trip through its
//! typed model; az's view of it is byte for byte what the console printed
//! before the model existed (the oracle below is that code, frozen); the
//! property names are the REST definitions'.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::az;
use super::*;
use crate::clock::Span;
use crate::{Command, Lab};

const RG: &str = "rg-rest";

/// Runs one command given in the operation log's own JSON form.
fn run(lab: &mut Lab, op: Value) {
    let command: Command = serde_json::from_value(op.clone()).expect("a logged command");
    if let Err(e) = lab.execute(command) {
        panic!("{op} was refused: {e}");
    }
}

fn make_disk(lab: &mut Lab, name: &str, sku: &str, extra: Value) {
    let mut op = json!({
        "op": "createDisk", "group": RG, "name": name, "location": null,
        "sku": sku, "sizeGib": 4, "logicalSectorSize": 512,
    });
    op.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    run(lab, op);
}

fn take_snapshot(lab: &mut Lab, name: &str, source: &str, extra: Value) {
    let mut op = json!({
        "op": "createSnapshot", "group": RG, "name": name, "source": source,
        "incremental": true, "sku": null, "location": null, "copyStart": false,
    });
    op.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    run(lab, op);
}

fn advance(lab: &mut Lab, span: Span) {
    run(
        lab,
        json!({ "op": "advanceClock", "millis": span.as_millis() }),
    );
}

const DISK_SKUS: [&str; 7] = [
    "Standard_LRS",
    "StandardSSD_LRS",
    "StandardSSD_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "PremiumV2_LRS",
    "UltraSSD_LRS",
];

/// A lab with every disk SKU, zones and provisioned performance, 4096-byte
/// sectors, full and incremental snapshots of every snapshot SKU, a
/// Premium SSD v2 snapshot still copying, a disk hydrating from one, a
/// CopyStart copy in progress and one failed, active SASs on a disk and a
/// snapshot, disks made for upload (waiting and being written), and VMs
/// running and deallocated with disks attached.
fn varied_lab() -> Lab {
    let mut lab = Lab::new();
    run(
        &mut lab,
        json!({ "op": "setFeatureAccess", "enabled": true }),
    );
    run(
        &mut lab,
        json!({ "op": "createGroup", "name": RG, "location": "westeurope" }),
    );
    for sku in DISK_SKUS {
        let extra = match sku {
            "PremiumV2_LRS" => json!({ "zone": "2", "iops": 4000, "mbps": 200 }),
            "UltraSSD_LRS" => json!({ "zone": "1", "logicalSectorSize": 4096 }),
            "Premium_LRS" => json!({ "zone": "3" }),
            _ => json!({}),
        };
        make_disk(&mut lab, &format!("d-{sku}"), sku, extra);
        let write = json!({
            "op": "write", "group": RG, "disk": format!("d-{sku}"), "offset": 0,
            "data": { "kind": "pattern", "pattern": "random", "seed": 7, "length": 1_048_576 },
        });
        run(&mut lab, write);
    }
    take_snapshot(
        &mut lab,
        "full",
        "d-Standard_LRS",
        json!({ "incremental": false }),
    );
    take_snapshot(
        &mut lab,
        "inc-zrs",
        "d-Premium_LRS",
        json!({ "sku": "Standard_ZRS" }),
    );
    take_snapshot(
        &mut lab,
        "full-premium",
        "d-StandardSSD_LRS",
        json!({ "sku": "Premium_LRS", "incremental": false }),
    );
    take_snapshot(&mut lab, "v2-done", "d-PremiumV2_LRS", json!({}));
    advance(&mut lab, Span::hours(48));
    run(
        &mut lab,
        json!({ "op": "createDiskFromSnapshot", "group": RG, "name": "hydrating", "source": "v2-done", "sku": null, "sizeGib": null }),
    );
    run(
        &mut lab,
        json!({ "op": "createDiskFromSnapshot", "group": RG, "name": "restored", "source": "inc-zrs", "sku": null, "sizeGib": null }),
    );
    take_snapshot(&mut lab, "v2-copying", "d-PremiumV2_LRS", json!({}));
    take_snapshot(&mut lab, "source-a", "d-Premium_ZRS", json!({}));
    take_snapshot(&mut lab, "source-b", "d-Standard_LRS", json!({}));
    let copy_of = |lab: &Lab, name: &str| lab.find_snapshot(RG, name).unwrap().id();
    let (a, b) = (copy_of(&lab, "source-a"), copy_of(&lab, "source-b"));
    let copy = json!({ "location": "northeurope", "copyStart": true });
    take_snapshot(&mut lab, "copying", &a, copy.clone());
    take_snapshot(&mut lab, "failed", &b, copy);
    run(
        &mut lab,
        json!({ "op": "deleteSnapshot", "group": RG, "name": "source-b" }),
    );
    for (target, name) in [("disk", "d-Premium_ZRS"), ("snapshot", "full")] {
        run(
            &mut lab,
            json!({ "op": "grantAccess", "target": target, "group": RG, "name": name, "durationSeconds": 3600 }),
        );
    }
    // Disks made for upload: one waiting (ReadyToUpload), one being written (ActiveUpload).
    for name in ["upload-ready", "upload-active"] {
        make_disk(
            &mut lab,
            name,
            "Standard_LRS",
            json!({ "uploadSizeBytes": 20_972_032u64 }),
        );
    }
    run(
        &mut lab,
        json!({ "op": "grantAccess", "target": "disk", "group": RG, "name": "upload-active", "durationSeconds": 3600, "access": "Write" }),
    );
    for (vm, disk, running) in [
        ("vm-on", "d-StandardSSD_ZRS", true),
        ("vm-off", "restored", false),
    ] {
        run(
            &mut lab,
            json!({ "op": "createVm", "group": RG, "name": vm, "location": null }),
        );
        run(
            &mut lab,
            json!({ "op": "attachDisk", "group": RG, "vm": vm, "disk": disk }),
        );
        run(
            &mut lab,
            json!({ "op": "setVmRunning", "group": RG, "name": vm, "running": running }),
        );
    }
    lab
}

/// The lab really holds the states the other tests claim to cover.
#[test]
fn the_varied_lab_covers_every_sku_option_and_state() {
    let lab = varied_lab();
    let now = lab.now();
    let disks: Vec<Value> = lab.disks().map(|d| az::disk_json(d, &lab)).collect();
    let snaps: Vec<Value> = lab.snapshots().map(|s| az::snapshot_json(s, now)).collect();
    let has = |items: &[Value], f: &dyn Fn(&Value) -> bool| items.iter().any(f);
    for sku in DISK_SKUS {
        assert!(has(&disks, &|d| d["sku"]["name"] == sku), "{sku}");
    }
    for sku in ["Standard_LRS", "Standard_ZRS", "Premium_LRS"] {
        assert!(has(&snaps, &|s| s["sku"]["name"] == sku), "{sku}");
    }
    assert!(has(&disks, &|d| d["zones"] == json!(["2"])));
    assert!(has(&disks, &|d| d["diskIOPSReadWrite"] == 4000));
    assert!(has(&disks, &|d| d["creationData"]["createOption"] == "Copy"));
    assert!(has(&disks, &|d| d["creationData"]["logicalSectorSize"] == 4096));
    assert!(has(&disks, &|d| d["completionPercent"]
        .as_f64()
        .is_some_and(|p| p < 100.0)));
    for state in ["ActiveSAS", "Attached", "Unattached"] {
        assert!(has(&disks, &|d| d["diskState"] == state), "{state}");
    }
    assert!(has(&snaps, &|s| s["diskState"] == "ActiveSAS"));
    assert!(has(&snaps, &|s| s["incremental"] == false));
    assert!(has(&snaps, &|s| s["incremental"] == true));
    assert!(has(&snaps, &|s| s["creationData"]["createOption"]
        == "CopyStart"));
    assert!(has(&snaps, &|s| s["copyCompletionError"].is_object()));
    assert!(has(&snaps, &|s| s["copyCompletionError"].is_null()
        && s["completionPercent"].as_f64().is_some_and(|p| p < 100.0)));
    let vms: Vec<Value> = lab.vms().map(|v| az::vm_json(v, &lab)).collect();
    assert!(has(&vms, &|v| v["powerState"] == "VM running"));
    assert!(has(&vms, &|v| v["powerState"] == "VM deallocated"));
}

/// `body` → JSON → the typed model again: the same body and the same JSON.
fn round_trips<T>(body: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let sent = to_json(body);
    let read: T = serde_json::from_value(sent.clone())
        .unwrap_or_else(|e| panic!("{sent} does not read back: {e}"));
    assert_eq!(&read, body);
    assert_eq!(to_json(&read), sent);
}

#[test]
fn every_rendered_body_reads_back_into_its_typed_model_unchanged() {
    let lab = varied_lab();
    for d in lab.disks() {
        round_trips(&disk(d, &lab));
    }
    for s in lab.snapshots() {
        round_trips(&snapshot(s, lab.now()));
        round_trips(&operation_status(
            &s.unique_id,
            s.time_created,
            s.background,
            s.copy_error.as_ref(),
            lab.now(),
        ));
    }
    for v in lab.vms() {
        round_trips(&virtual_machine(v, &lab));
    }
    for g in lab.groups() {
        round_trips(&resource_group(g));
    }
    round_trips(&access_uri(
        "https://md-x.blob.core.windows.net/y/abcd?sig=SIMULATED",
    ));
    let outputs = json!({ "id": { "type": "string", "value": "/x" } });
    round_trips(&deployment(
        "sub",
        RG,
        "dep",
        vec!["/a".into()],
        outputs.as_object().cloned(),
        lab.now(),
    ));
}

/// What the console printed before the REST model: `engine/src/shapes.rs`
/// as it was, frozen here as the oracle of the "no behaviour change" rule.
/// When issue 21 changes az's output on purpose, this oracle changes with it.
mod before {
    use serde_json::{json, Value};

    use crate::clock::Instant;
    use crate::lab::Lab;
    use crate::model::{Disk, DiskOrigin, ResourceGroup, Snapshot, Vm};
    use crate::naming::group_id;

    pub fn snapshot_json(snapshot: &Snapshot, now: Instant) -> Value {
        let copy_error = snapshot
            .copy_error
            .as_ref()
            .map(|e| json!({ "errorCode": e.code, "errorMessage": e.message }));
        json!({
            "completionPercent": snapshot.completion_percent(now) as f64,
            "copyCompletionError": copy_error,
            "creationData": {
                "createOption": snapshot.origin.create_option.to_string(),
                "logicalSectorSize": snapshot.logical_sector_size,
                "provisionedBandwidthCopySpeed": null,
                "sourceResourceId": snapshot.origin.source_resource_id,
                "sourceUniqueId": snapshot.origin.source_unique_id,
            },
            "dataAccessAuthMode": null,
            "diskSizeBytes": snapshot.disk_size_bytes,
            "diskSizeGB": snapshot.disk_size_bytes / crate::units::GIB,
            "diskState": if snapshot.sas_active { "ActiveSAS" } else { "Unattached" },
            "encryption": { "type": "EncryptionAtRestWithPlatformKey" },
            "id": snapshot.id(),
            "incremental": snapshot.incremental,
            "incrementalSnapshotFamilyId": snapshot.family_id,
            "location": snapshot.at.location,
            "managedBy": null,
            "name": snapshot.at.name,
            "networkAccessPolicy": "AllowAll",
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
            "resourceGroup": snapshot.at.group,
            "sku": { "name": snapshot.sku.name(), "tier": snapshot.sku.tier() },
            "tags": {},
            "timeCreated": snapshot.time_created.to_azure_string(),
            "type": "Microsoft.Compute/snapshots",
            "uniqueId": snapshot.unique_id,
        })
    }

    pub fn disk_json(disk: &Disk, lab: &Lab) -> Value {
        let (create_option, source_id, source_unique) = match &disk.origin {
            DiskOrigin::Empty => ("Empty", None, None),
            DiskOrigin::Upload { .. } => ("Upload", None, None),
            DiskOrigin::FromSnapshot {
                snapshot_id,
                snapshot_unique_id,
            } => (
                "Copy",
                Some(snapshot_id.clone()),
                Some(snapshot_unique_id.clone()),
            ),
        };
        let managed_by = disk
            .managed_by
            .as_ref()
            .and_then(|vm| lab.vm(&disk.at.subscription, &disk.at.group, vm))
            .map(|vm| vm.id());
        let mut shown = json!({
            "completionPercent": disk.hydration.map(|p| p.percent(lab.now()) as f64),
            "creationData": {
                "createOption": create_option,
                "logicalSectorSize": disk.data.logical_sector_size(),
                "sourceResourceId": source_id,
                "sourceUniqueId": source_unique,
            },
            "diskSizeBytes": disk.data.size_bytes(),
            "diskSizeGB": disk.size_gib(),
            "diskState": disk.disk_state(),
            "encryption": { "type": "EncryptionAtRestWithPlatformKey" },
            "id": disk.id(),
            "location": disk.at.location,
            "managedBy": managed_by,
            "name": disk.at.name,
            "networkAccessPolicy": "AllowAll",
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
            "resourceGroup": disk.at.group,
            "sku": { "name": disk.sku.name(), "tier": disk.sku.tier() },
            "tags": {},
            "timeCreated": disk.time_created.to_azure_string(),
            "type": "Microsoft.Compute/disks",
            "uniqueId": disk.unique_id,
        });
        if let Some(zone) = &disk.zone {
            shown["zones"] = json!([zone]);
        }
        if let DiskOrigin::Upload { upload_size_bytes } = disk.origin {
            shown["creationData"]["uploadSizeBytes"] = json!(upload_size_bytes);
        }
        if let Some((iops, mbps)) = disk.performance {
            shown["diskIOPSReadWrite"] = json!(iops);
            shown["diskMBpsReadWrite"] = json!(mbps);
        }
        // Issue 21: a Premium SSD's tier and its baseline, from its size.
        if let Some((tier, iops, mbps)) = disk.sku.premium_tier(disk.size_gib()) {
            shown["tier"] = json!(tier);
            shown["diskIOPSReadWrite"] = json!(iops);
            shown["diskMBpsReadWrite"] = json!(mbps);
        }
        shown
    }

    pub fn group_json(group: &ResourceGroup) -> Value {
        json!({
            "id": group_id(&group.subscription, &group.name),
            "location": group.location,
            "managedBy": null,
            "name": group.name,
            "properties": { "provisioningState": "Succeeded" },
            "tags": null,
            "type": "Microsoft.Resources/resourceGroups",
        })
    }

    pub fn vm_json(vm: &Vm, lab: &Lab) -> Value {
        let data_disks: Vec<Value> = vm
            .data_disks
            .iter()
            .enumerate()
            .map(|(lun, name)| {
                let id = lab
                    .disk(&vm.at.subscription, &vm.at.group, name)
                    .map(|d| d.id());
                json!({ "lun": lun, "name": name, "managedDisk": { "id": id } })
            })
            .collect();
        json!({
            "id": vm.id(),
            "location": vm.at.location,
            "name": vm.at.name,
            "powerState": if vm.running { "VM running" } else { "VM deallocated" },
            "resourceGroup": vm.at.group,
            "storageProfile": { "dataDisks": data_disks },
            "type": "Microsoft.Compute/virtualMachines",
        })
    }

    /// The end of `console/src/arm.rs`'s deploy, as it was.
    pub fn deployment_json(
        subscription: &str,
        group: &str,
        deployment: &str,
        output: Vec<Value>,
        outputs: serde_json::Map<String, Value>,
        now: Instant,
    ) -> Value {
        json!({
            "id": format!("/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{deployment}"),
            "name": deployment,
            "properties": {
                "mode": "Incremental",
                "outputResources": output,
                "outputs": if outputs.is_empty() { Value::Null } else { Value::Object(outputs) },
                "provisioningState": "Succeeded",
                "timestamp": now.to_azure_string(),
            },
            "resourceGroup": group,
            "type": "Microsoft.Resources/deployments",
        })
    }
}

/// `value` with every `null` member left out, at any depth.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Equal as printed (`-o json` pretty-prints), not only as values.
fn same_bytes(now: &Value, then: &Value) {
    assert_eq!(
        serde_json::to_string_pretty(now).unwrap(),
        serde_json::to_string_pretty(then).unwrap()
    );
}

#[test]
fn az_shows_every_resource_exactly_as_the_console_printed_it_before() {
    let lab = varied_lab();
    let mut seen = 0;
    // What the console printed before, less the `null`s it added for what
    // the service left out: azure-cli 2.91.0's aaz disk and snapshot
    // commands print none (the real-az differential's generated scripts).
    for d in lab.disks() {
        same_bytes(
            &az::disk_json(d, &lab),
            &without_nulls(before::disk_json(d, &lab)),
        );
        seen += 1;
    }
    for s in lab.snapshots() {
        same_bytes(
            &az::snapshot_json(s, lab.now()),
            &without_nulls(before::snapshot_json(s, lab.now())),
        );
        seen += 1;
    }
    for v in lab.vms() {
        same_bytes(&az::vm_json(v, &lab), &before::vm_json(v, &lab));
        seen += 1;
    }
    for g in lab.groups() {
        same_bytes(&az::group_json(g), &before::group_json(g));
        seen += 1;
    }
    // 11 disks (2 made for upload), 8 snapshots (source-b was deleted), 2 VMs, 1 group.
    assert_eq!(seen, 11 + 8 + 2 + 1);
}

#[test]
fn az_shows_a_deployment_as_the_console_printed_it_before() {
    let lab = varied_lab();
    let sub = lab.current_subscription().id.clone();
    let ids: Vec<String> = lab.snapshots().map(|s| s.id()).take(2).collect();
    let listed: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "id": id, "resourceGroup": RG }))
        .collect();
    // An output that holds a resource id of its own: az would add a
    // resourceGroup inside it; the console never did (docs/fidelity.md).
    let outputs = json!({
        "snap": { "type": "object", "value": { "id": ids[0] } },
        "n": { "type": "int", "value": 3 },
    });
    let outputs = outputs.as_object().cloned().unwrap();
    for outputs in [outputs, serde_json::Map::new()] {
        let shown = az::deployment_json(
            &sub,
            RG,
            "dep",
            ids.clone(),
            (!outputs.is_empty()).then(|| outputs.clone()),
            lab.now(),
        );
        let then = before::deployment_json(&sub, RG, "dep", listed.clone(), outputs, lab.now());
        same_bytes(&shown, &then);
    }
}

/// Every key of `value` (nested objects as `parent.child`; arrays looked into).
fn keys(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                keys(v, &path, out);
                out.insert(path);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, prefix, out)),
        _ => {}
    }
}

/// Names from azure-rest-api-specs, DiskRP 2025-01-02: `Resource` and
/// `Disk`/`Snapshot` (envelope), `DiskSku`/`SnapshotSku`, `DiskProperties`,
/// `SnapshotProperties`, `CreationData`, `Encryption`, `CopyCompletionError`.
const ENVELOPE: &[&str] = &[
    "id",
    "name",
    "type",
    "location",
    "tags",
    "managedBy",
    "managedByExtended",
    "sku",
    "sku.name",
    "sku.tier",
    "zones",
    "extendedLocation",
    "properties",
];
const CREATION_DATA: &[&str] = &[
    "createOption",
    "storageAccountId",
    "imageReference",
    "galleryImageReference",
    "sourceUri",
    "sourceResourceId",
    "sourceUniqueId",
    "uploadSizeBytes",
    "logicalSectorSize",
    "securityDataUri",
    "performancePlus",
    "elasticSanResourceId",
    "provisionedBandwidthCopySpeed",
    "instantAccessDurationMinutes",
    "securityMetadataUri",
];
const DISK_PROPERTIES: &[&str] = &[
    "timeCreated",
    "osType",
    "hyperVGeneration",
    "purchasePlan",
    "supportedCapabilities",
    "creationData",
    "diskSizeGB",
    "diskSizeBytes",
    "uniqueId",
    "encryptionSettingsCollection",
    "provisioningState",
    "diskIOPSReadWrite",
    "diskMBpsReadWrite",
    "diskIOPSReadOnly",
    "diskMBpsReadOnly",
    "diskState",
    "encryption",
    "encryption.type",
    "encryption.diskEncryptionSetId",
    "maxShares",
    "shareInfo",
    "networkAccessPolicy",
    "diskAccessId",
    "burstingEnabledTime",
    "tier",
    "burstingEnabled",
    "propertyUpdatesInProgress",
    "supportsHibernation",
    "securityProfile",
    "completionPercent",
    "publicNetworkAccess",
    "dataAccessAuthMode",
    "optimizedForFrequentAttach",
    "LastOwnershipUpdateTime",
];
const SNAPSHOT_PROPERTIES: &[&str] = &[
    "timeCreated",
    "osType",
    "hyperVGeneration",
    "purchasePlan",
    "supportedCapabilities",
    "creationData",
    "diskSizeGB",
    "diskSizeBytes",
    "diskState",
    "uniqueId",
    "encryptionSettingsCollection",
    "provisioningState",
    "incremental",
    "incrementalSnapshotFamilyId",
    "encryption",
    "encryption.type",
    "encryption.diskEncryptionSetId",
    "networkAccessPolicy",
    "diskAccessId",
    "securityProfile",
    "supportsHibernation",
    "publicNetworkAccess",
    "completionPercent",
    "copyCompletionError",
    "copyCompletionError.errorCode",
    "copyCompletionError.errorMessage",
    "dataAccessAuthMode",
];

fn allowed(properties: &[&str]) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = ENVELOPE.iter().map(|s| s.to_string()).collect();
    for p in properties {
        names.insert(format!("properties.{p}"));
    }
    for c in CREATION_DATA {
        names.insert(format!("properties.creationData.{c}"));
    }
    names
}

#[test]
fn disk_and_snapshot_bodies_use_only_the_rest_definitions_names() {
    let lab = varied_lab();
    let (disk_names, snapshot_names) = (allowed(DISK_PROPERTIES), allowed(SNAPSHOT_PROPERTIES));
    let mut sent = BTreeSet::new();
    for d in lab.disks() {
        keys(&to_json(&disk(d, &lab)), "", &mut sent);
    }
    let stray: Vec<_> = sent.difference(&disk_names).collect();
    assert!(
        stray.is_empty(),
        "disk keys not in DiskRP {DISK_API_VERSION}: {stray:?}"
    );
    // Each name must be the spec's in case too (`diskSizeGB`, not `diskSizeGb`).
    assert!(sent.contains("properties.diskSizeGB"));
    assert!(sent.contains("properties.diskIOPSReadWrite"));

    let mut sent = BTreeSet::new();
    for s in lab.snapshots() {
        keys(&to_json(&snapshot(s, lab.now())), "", &mut sent);
    }
    let stray: Vec<_> = sent.difference(&snapshot_names).collect();
    assert!(
        stray.is_empty(),
        "snapshot keys not in DiskRP {DISK_API_VERSION}: {stray:?}"
    );
    assert!(sent.contains("properties.copyCompletionError.errorCode"));
}

#[test]
fn the_service_leaves_out_what_it_does_not_send_and_az_prints_nothing_for_it() {
    let lab = varied_lab();
    let full = lab.find_snapshot(RG, "full").unwrap();
    let body = to_json(&snapshot(full, lab.now()));
    assert_eq!(body["properties"].get("incrementalSnapshotFamilyId"), None);
    assert_eq!(body["properties"].get("copyCompletionError"), None);
    assert_eq!(body.get("managedBy"), None);
    // azure-cli 2.91.0's aaz `snapshot show` prints what was sent, flattened.
    let shown = az::snapshot_json(full, lab.now());
    assert_eq!(shown.get("incrementalSnapshotFamilyId"), None);
    assert_eq!(shown.get("managedBy"), None);
    assert_eq!(
        shown["creationData"].get("provisionedBandwidthCopySpeed"),
        None
    );
    assert_eq!(shown.get("properties"), None);
    assert_eq!(shown["resourceGroup"], RG);
}

#[test]
fn az_adds_resource_group_as_azure_cli_transform_does() {
    let mut v = json!([
        { "id": "/subscriptions/s/resourceGroups/rg1/providers/P/t/n" },
        { "id": "/subscriptions/s/resourceGroups/rg2" },
        { "id": "/subscriptions/s/resourceGroups/rg3/providers/P/t/n", "ResourceGroup": "kept" },
        { "id": null, "nested": { "id": "/subscriptions/s/resourcegroups/rg4/providers/P/t/n" } },
        { "sourceVault": { "id": "/subscriptions/s/resourceGroups/rg5/providers/P/t/n" } },
        { "id": "/subscriptions/s/providers/P/t/n/x/y" },
    ]);
    az::add_resource_group(&mut v, &["sourceVault"]);
    assert_eq!(v[0]["resourceGroup"], "rg1");
    // A group's own id has no segment 8: az's _parse_id fails, nothing added.
    assert_eq!(v[1].get("resourceGroup"), None);
    assert_eq!(v[2].get("resourceGroup"), None);
    assert_eq!(v[3].get("resourceGroup"), None);
    assert_eq!(v[3]["nested"]["resourceGroup"], "rg4");
    assert_eq!(v[4]["sourceVault"].get("resourceGroup"), None);
    assert_eq!(v[5].get("resourceGroup"), None);
}

#[test]
fn an_operation_runs_while_the_engine_copies_and_ends_with_it() {
    let lab = varied_lab();
    let status = |name: &str| {
        let s = lab.find_snapshot(RG, name).unwrap();
        operation_status(
            "op",
            s.time_created,
            s.background,
            s.copy_error.as_ref(),
            lab.now(),
        )
    };
    let copying = status("copying");
    assert_eq!(copying.status, "InProgress");
    assert!(copying.percent_complete.unwrap() < 100.0);
    assert_eq!(copying.end_time, None);

    let failed = status("failed");
    assert_eq!(failed.status, "Failed");
    let error = failed.error.unwrap();
    assert_eq!(
        error.code,
        lab.find_snapshot(RG, "failed")
            .unwrap()
            .copy_error
            .as_ref()
            .unwrap()
            .code
    );

    let full = lab.find_snapshot(RG, "full").unwrap();
    let done = status("full");
    assert_eq!(done.status, "Succeeded");
    assert_eq!(done.percent_complete, Some(100.0));
    assert_eq!(done.end_time, Some(full.time_created.to_azure_string()));
    assert_eq!(
        to_json(&done)["startTime"],
        full.time_created.to_azure_string()
    );
}

#[test]
fn error_bodies_carry_the_engine_code_and_arm_status() {
    let e = crate::EngineError::ResourceGroupNotFound {
        group: "rg9".into(),
    };
    let body = super::to_json(&super::engine_error(&e));
    assert_eq!(body["error"]["code"], "ResourceGroupNotFound");
    assert_eq!(body["error"]["message"], e.to_string());
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(super::http_status(&e), 404);
    let conflict = crate::EngineError::SnapshotCountExceeded {
        disk: "d".into(),
        count: 500,
    };
    assert_eq!(super::http_status(&conflict), 409);
    let bad = crate::EngineError::InvalidParameter { reason: "x".into() };
    assert_eq!(super::http_status(&bad), 400);
}

#[test]
fn subscriptions_and_lists_have_arm_keys() {
    let lab = crate::Lab::new();
    let sub = lab.current_subscription();
    let body = super::to_json(&super::list(vec![super::subscription(sub)]));
    let first = &body["value"][0];
    assert_eq!(first["id"], format!("/subscriptions/{}", sub.id));
    assert_eq!(first["subscriptionId"], sub.id.as_str());
    assert_eq!(first["displayName"], sub.name.as_str());
    assert_eq!(first["state"], "Enabled");
    assert_eq!(first["tenantId"], super::TENANT_ID);
}

#[test]
fn storage_errors_are_escaped_xml() {
    let xml = super::storage_error_xml("InvalidRange", "bytes <a & b>");
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidRange</Code><Message>bytes &lt;a &amp; b&gt;</Message></Error>"
    );
}
