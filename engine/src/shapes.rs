//! Resources as JSON, in the shape `az disk show` / `az snapshot show` print
//! them: ARM's `properties` flattened to the top level, camelCase names,
//! keys sorted as az sorts them. The `--query` of the console runs on these.

use serde_json::{json, Value};

use crate::clock::Instant;
use crate::lab::Lab;
use crate::model::{Disk, DiskOrigin, ResourceGroup, Snapshot, Subscription, Vm};
use crate::naming::group_id;

/// `az snapshot show`.
pub fn snapshot_json(snapshot: &Snapshot, now: Instant) -> Value {
    let copy_error = snapshot
        .copy_error
        .as_ref()
        .map(|e| json!({ "errorCode": e.code, "errorMessage": e.message }));
    json!({
        "completionPercent": snapshot.completion_percent(now) as f64,
        "copyCompletionError": copy_error,
        "creationData": {
            "createOption": snapshot.origin.create_option,
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

/// `az disk show`.
pub fn disk_json(disk: &Disk, lab: &Lab) -> Value {
    let (create_option, source_id, source_unique) = match &disk.origin {
        DiskOrigin::Empty => ("Empty", None, None),
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
        // Azure encrypts every managed disk at rest, with platform keys
        // unless a disk encryption set is given (the simulator has none).
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
    // Only where they apply: a zonal disk's zone, a v2/Ultra disk's performance.
    if let Some(zone) = &disk.zone {
        shown["zones"] = json!([zone]);
    }
    if let Some((iops, mbps)) = disk.performance {
        shown["diskIOPSReadWrite"] = json!(iops);
        shown["diskMBpsReadWrite"] = json!(mbps);
    }
    shown
}

/// `az group show`.
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

/// `az account show`.
pub fn subscription_json(subscription: &Subscription, is_default: bool) -> Value {
    json!({
        "environmentName": "AzureCloud",
        "id": subscription.id,
        "isDefault": is_default,
        "name": subscription.name,
        "state": "Enabled",
        "tenantId": "00000000-0000-0000-0000-5a0b1ab7e9a7",
        "user": { "name": "trainer@snaplab.example", "type": "user" },
    })
}

/// `az vm show` (the part the simulator models).
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
