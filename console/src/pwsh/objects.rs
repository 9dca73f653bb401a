//! The Az objects cmdlets return: `PSDisk`, `PSSnapshot`, `PSResourceGroup`,
//! built from the engine's resources, their properties in the order
//! Az.Compute declares them.

use serde_json::{json, Value};
use snaplab_engine::rest::az::{disk_json, snapshot_json};
use snaplab_engine::rest::resource_group;
use snaplab_engine::Lab;

use super::value::{datetime, ORDER_KEY};

/// Keys in PowerShell's casing: the first letter upper-case, all the way down.
pub fn pascal(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = c
                        .next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default();
                    (key, pascal(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(pascal).collect()),
        v => v.clone(),
    }
}

/// `PSDisk`'s properties in the order Az.Compute declares them
/// (`Models/PSDisk.cs`), which is how PowerShell lists them.
pub const PSDISK_ORDER: &[&str] = &[
    "ResourceGroupName",
    "ManagedBy",
    "ManagedByExtended",
    "Sku",
    "Zones",
    "TimeCreated",
    "OsType",
    "HyperVGeneration",
    "CreationData",
    "DiskSizeGB",
    "DiskSizeBytes",
    "UniqueId",
    "EncryptionSettingsCollection",
    "ProvisioningState",
    "DiskIOPSReadWrite",
    "DiskMBpsReadWrite",
    "DiskIOPSReadOnly",
    "DiskMBpsReadOnly",
    "DiskState",
    "Encryption",
    "MaxShares",
    "ShareInfo",
    "Id",
    "Name",
    "Type",
    "Location",
    "ExtendedLocation",
    "Tags",
    "NetworkAccessPolicy",
    "DiskAccessId",
    "Tier",
    "BurstingEnabled",
    "PurchasePlan",
    "SupportsHibernation",
    "SecurityProfile",
    "PublicNetworkAccess",
    "SupportedCapabilities",
    "DataAccessAuthMode",
    "CompletionPercent",
    "OptimizedForFrequentAttach",
];

/// `PSSnapshot`'s properties in Az.Compute's order (the same pattern as
/// PSDisk: the snapshot's own properties, then the resource's, then those
/// added by later API versions).
pub const PSSNAPSHOT_ORDER: &[&str] = &[
    "ResourceGroupName",
    "ManagedBy",
    "Sku",
    "ExtendedLocation",
    "TimeCreated",
    "OsType",
    "HyperVGeneration",
    "PurchasePlan",
    "CreationData",
    "DiskSizeGB",
    "DiskSizeBytes",
    "DiskState",
    "UniqueId",
    "EncryptionSettingsCollection",
    "ProvisioningState",
    "Incremental",
    "Encryption",
    "NetworkAccessPolicy",
    "DiskAccessId",
    "Id",
    "Name",
    "Type",
    "Location",
    "Tags",
    "SupportsHibernation",
    "SecurityProfile",
    "PublicNetworkAccess",
    "CompletionPercent",
    "CopyCompletionError",
    "DataAccessAuthMode",
    "IncrementalSnapshotFamilyId",
];

/// An Az object: its properties in `order` (those it lacks shown empty, as
/// PowerShell shows a null property), `TimeCreated` as a DateTime, and its
/// nested SKU typed as `sku_type`.
pub fn az_object(mut v: Value, order: &[&str], sku_type: &str) -> Value {
    if let Value::Object(map) = &mut v {
        if let Some(Value::String(iso)) = map.get("TimeCreated").cloned() {
            map.insert("TimeCreated".into(), datetime(&iso));
        }
        if let Some(Value::Object(sku)) = map.get_mut("Sku") {
            sku.insert(
                "@type".into(),
                json!(format!(
                    "Microsoft.Azure.Management.Compute.Models.{sku_type}"
                )),
            );
        }
        for key in order {
            map.entry(key.to_string()).or_insert(Value::Null);
        }
        map.insert(
            ORDER_KEY.into(),
            Value::Array(order.iter().map(|k| json!(k)).collect()),
        );
    }
    v
}

pub fn ps_snapshot(s: &snaplab_engine::model::Snapshot, lab: &Lab) -> Value {
    let mut v = pascal(&snapshot_json(s, lab.now()));
    if let Value::Object(map) = &mut v {
        map.insert(
            "ResourceGroupName".into(),
            map.get("ResourceGroup").cloned().unwrap_or(Value::Null),
        );
        map.remove("ResourceGroup");
    }
    az_object(v, PSSNAPSHOT_ORDER, "SnapshotSku")
}

/// A PSResourceGroup (its properties print sorted: see docs/fidelity.md),
/// read from the group's REST body as Az.Resources builds it from the
/// response: `ResourceGroupName` is `name`, `ResourceId` is `id`.
pub fn ps_group(group: &snaplab_engine::model::ResourceGroup) -> Value {
    let body = resource_group(group);
    let mut map = serde_json::Map::new();
    map.insert("ResourceGroupName".into(), json!(body.name));
    map.insert("Location".into(), json!(body.location));
    map.insert(
        "ProvisioningState".into(),
        json!(body.properties.provisioning_state),
    );
    map.insert("Tags".into(), json!(body.tags));
    map.insert("ResourceId".into(), json!(body.id));
    Value::Object(map)
}

pub fn ps_disk(d: &snaplab_engine::model::Disk, lab: &Lab) -> Value {
    let mut v = pascal(&disk_json(d, lab));
    if let Value::Object(map) = &mut v {
        map.insert(
            "ResourceGroupName".into(),
            map.get("ResourceGroup").cloned().unwrap_or(Value::Null),
        );
        map.remove("ResourceGroup");
    }
    az_object(v, PSDISK_ORDER, "DiskSku")
}
