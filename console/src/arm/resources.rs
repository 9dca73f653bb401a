//! One evaluated resource (`Microsoft.Compute/snapshots` or `/disks`) as
//! the engine command that makes it, validated as ARM validates it: the
//! properties the type has, and the API version each needs.

use serde_json::{json, Value};
use snaplab_engine::{cmd, Command};

use super::{invalid, API_VERSIONS, COPY_START_SINCE, INCREMENTAL_SINCE};
use crate::failure::Failure;
use crate::runner::Runner;

/// The keys any ARM resource may have; the simulator reads the first ten.
const RESOURCE_KEYS: &[&str] = &[
    "type",
    "name",
    "location",
    "apiVersion",
    "properties",
    "sku",
    "tags",
    "dependsOn",
    "comments",
    "zones",
    // Valid on any ARM resource; nothing a disk or snapshot uses
    // (the cross-region copy doc's template sets "scale": null).
    "scale",
    "kind",
    "plan",
    "identity",
    "managedBy",
    "condition",
];

/// What a snapshot and a disk are both read from.
struct Parts<'r> {
    r: &'r Value,
    path: &'r str,
    group: &'r str,
    name: String,
    api: String,
    props: Value,
    creation: Value,
    option: String,
    source: Option<String>,
    location: Option<String>,
    sku: Option<String>,
}

impl Parts<'_> {
    /// `creationData.sourceResourceId`, which this resource needs.
    fn source(&self) -> Result<String, Failure> {
        self.source.clone().ok_or_else(|| {
            invalid(
                &format!("{}.properties.creationData.sourceResourceId", self.path),
                "missing",
            )
        })
    }
}

/// The engine command for one evaluated resource, its name, and the
/// resource as the deployment lists it.
pub fn command_for(
    rt: &Runner,
    r: &Value,
    path: &str,
    group: &str,
    subscription: &str,
) -> Result<(String, Command, Value), Failure> {
    if let Some(key) = r
        .as_object()
        .and_then(|m| m.keys().find(|k| !RESOURCE_KEYS.contains(&k.as_str())))
    {
        return Err(invalid(
            &format!("{path}.{key}"),
            "this property is not valid on a resource",
        ));
    }
    let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    let kind = field("type").ok_or_else(|| invalid(&format!("{path}.type"), "missing"))?;
    let name = field("name").ok_or_else(|| invalid(&format!("{path}.name"), "missing"))?;
    let api =
        field("apiVersion").ok_or_else(|| invalid(&format!("{path}.apiVersion"), "missing"))?;
    if !API_VERSIONS.contains(&api.as_str()) {
        return Err(invalid(
            &format!("{path}.apiVersion"),
            format!(
                "'{api}' is not a Microsoft.Compute API version (known: {} … {})",
                API_VERSIONS[0],
                API_VERSIONS[API_VERSIONS.len() - 1]
            ),
        ));
    }
    let props = r.get("properties").cloned().unwrap_or(json!({}));
    let creation = props.get("creationData").cloned().unwrap_or(json!({}));
    let allowed: &[&str] = match kind.as_str() {
        "Microsoft.Compute/snapshots" => &["creationData", "incremental", "diskSizeGB"],
        "Microsoft.Compute/disks" => &[
            "creationData",
            "diskSizeGB",
            "diskIOPSReadWrite",
            "diskMBpsReadWrite",
        ],
        other => return Err(invalid(&format!("{path}.type"), format!("'{other}' is not a resource type the simulator deploys (Microsoft.Compute/snapshots, Microsoft.Compute/disks)"))),
    };
    if let Some(key) = props
        .as_object()
        .and_then(|m| m.keys().find(|k| !allowed.contains(&k.as_str())))
    {
        return Err(invalid(
            &format!("{path}.properties.{key}"),
            format!("the property is not valid for {kind} in the simulator"),
        ));
    }
    let parts = Parts {
        r,
        path,
        group,
        option: creation
            .get("createOption")
            .and_then(Value::as_str)
            .unwrap_or("Empty")
            .to_string(),
        source: creation
            .get("sourceResourceId")
            .and_then(Value::as_str)
            .map(str::to_string),
        location: field("location"),
        sku: r
            .get("sku")
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        name,
        api,
        props,
        creation,
    };
    let (command, provider) = if kind == "Microsoft.Compute/snapshots" {
        (snapshot(&parts)?, "snapshots")
    } else {
        (disk(&parts)?, "disks")
    };
    rt.check(&command).map_err(Failure::Refused)?;
    let id = snaplab_engine::naming::arm_id(subscription, group, provider, &parts.name);
    Ok((
        parts.name,
        command,
        json!({ "id": id, "resourceGroup": group }),
    ))
}

/// A `Microsoft.Compute/snapshots` resource: Copy or CopyStart, with the
/// API versions incremental snapshots and CopyStart need.
fn snapshot(p: &Parts) -> Result<Command, Failure> {
    let (path, api, option) = (p.path, &p.api, &p.option);
    let incremental = p
        .props
        .get("incremental")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if incremental && api.as_str() < INCREMENTAL_SINCE {
        return Err(invalid(&format!("{path}.properties.incremental"), format!("'incremental' needs apiVersion {INCREMENTAL_SINCE} or later; the template uses {api}")));
    }
    if option == "CopyStart" && api.as_str() < COPY_START_SINCE {
        return Err(invalid(
            &format!("{path}.properties.creationData.createOption"),
            format!(
                "CopyStart needs apiVersion {COPY_START_SINCE} or later; the template uses {api}"
            ),
        ));
    }
    if !matches!(option.as_str(), "Copy" | "CopyStart") {
        return Err(invalid(
            &format!("{path}.properties.creationData.createOption"),
            format!("'{option}': a snapshot is created with Copy or CopyStart"),
        ));
    }
    Ok(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: p.group.to_string(),
        name: p.name.clone(),
        source: p.source()?,
        incremental,
        sku: p.sku.clone(),
        location: p.location.clone(),
        copy_start: option == "CopyStart",
    }))
}

/// A `Microsoft.Compute/disks` resource: Empty, or Copy/Restore from a
/// snapshot.
fn disk(p: &Parts) -> Result<Command, Failure> {
    let path = p.path;
    Ok(match p.option.as_str() {
        "Empty" => Command::CreateDisk(cmd::CreateDisk {
            group: p.group.to_string(),
            name: p.name.clone(),
            location: p.location.clone(),
            sku: p.sku.clone().unwrap_or_else(|| "Standard_LRS".into()),
            size_gib: p
                .props
                .get("diskSizeGB")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    invalid(
                        &format!("{path}.properties.diskSizeGB"),
                        "an Empty disk needs diskSizeGB",
                    )
                })?,
            logical_sector_size: p
                .creation
                .get("logicalSectorSize")
                .and_then(Value::as_u64)
                .unwrap_or(512),
            zone: p
                .r
                .get("zones")
                .and_then(Value::as_array)
                .and_then(|z| z.first())
                .map(|z| z.as_str().map_or(z.to_string(), str::to_string)),
            iops: p.props.get("diskIOPSReadWrite").and_then(Value::as_u64),
            mbps: p.props.get("diskMBpsReadWrite").and_then(Value::as_u64),
            upload_size_bytes: None,
        }),
        "Upload" => Command::CreateDisk(cmd::CreateDisk {
            location: p.location.clone(),
            logical_sector_size: p
                .creation
                .get("logicalSectorSize")
                .and_then(Value::as_u64)
                .unwrap_or(512),
            ..cmd::CreateDisk::upload(
                p.group,
                &p.name,
                p.sku.as_deref().unwrap_or("Standard_LRS"),
                p.creation
                    .get("uploadSizeBytes")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        invalid(
                            &format!("{path}.properties.creationData.uploadSizeBytes"),
                            "an Upload disk needs uploadSizeBytes",
                        )
                    })?,
            )
        }),
        "Copy" | "Restore" => Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
            group: p.group.to_string(),
            name: p.name.clone(),
            source: p.source()?,
            sku: p.sku.clone(),
            size_gib: p.props.get("diskSizeGB").and_then(Value::as_u64),
        }),
        other => {
            return Err(invalid(
                &format!("{path}.properties.creationData.createOption"),
                format!(
                    "'{other}' is not supported for disks in the simulator (Empty, Copy, Upload)"
                ),
            ))
        }
    })
}
