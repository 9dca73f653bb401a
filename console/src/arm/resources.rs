//! One evaluated resource (`Microsoft.Compute/snapshots` or `/disks`) as
//! the engine command that makes it, validated as ARM validates it: the
//! properties the type has, and the API version each needs.

use serde_json::{json, Value};
use snaplab_engine::{cmd, Command};

use super::{invalid, API_VERSIONS, COPY_START_SINCE, INCREMENTAL_SINCE};
use crate::az::Failure;
use crate::runner::Runner;

/// The engine command for one evaluated resource, its name, and the
/// resource as the deployment lists it.
pub fn command_for(
    rt: &Runner,
    r: &Value,
    path: &str,
    group: &str,
    subscription: &str,
) -> Result<(String, Command, Value), Failure> {
    let path = path.to_string();
    let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    for key in r
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if ![
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
        ]
        .contains(&key.as_str())
        {
            return Err(invalid(
                &format!("{path}.{key}"),
                "this property is not valid on a resource",
            ));
        }
    }
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
    let option = creation
        .get("createOption")
        .and_then(Value::as_str)
        .unwrap_or("Empty")
        .to_string();
    let source = creation
        .get("sourceResourceId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let location = field("location");
    let sku = r
        .get("sku")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
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
    for key in props
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(
                &format!("{path}.properties.{key}"),
                format!("the property is not valid for {kind} in the simulator"),
            ));
        }
    }
    let command = if kind == "Microsoft.Compute/snapshots" {
        let incremental = props
            .get("incremental")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if incremental && api.as_str() < INCREMENTAL_SINCE {
            return Err(invalid(&format!("{path}.properties.incremental"), format!("'incremental' needs apiVersion {INCREMENTAL_SINCE} or later; the template uses {api}")));
        }
        if option == "CopyStart" && api.as_str() < COPY_START_SINCE {
            return Err(invalid(&format!("{path}.properties.creationData.createOption"), format!("CopyStart needs apiVersion {COPY_START_SINCE} or later; the template uses {api}")));
        }
        if !matches!(option.as_str(), "Copy" | "CopyStart") {
            return Err(invalid(
                &format!("{path}.properties.creationData.createOption"),
                format!("'{option}': a snapshot is created with Copy or CopyStart"),
            ));
        }
        let source = source.ok_or_else(|| {
            invalid(
                &format!("{path}.properties.creationData.sourceResourceId"),
                "missing",
            )
        })?;
        Command::CreateSnapshot(cmd::CreateSnapshot {
            group: group.to_string(),
            name: name.clone(),
            source,
            incremental,
            sku,
            location,
            copy_start: option == "CopyStart",
        })
    } else {
        match option.as_str() {
            "Empty" => Command::CreateDisk(cmd::CreateDisk {
                group: group.to_string(),
                name: name.clone(),
                location,
                sku: sku.unwrap_or_else(|| "Standard_LRS".into()),
                size_gib: props
                    .get("diskSizeGB")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        invalid(
                            &format!("{path}.properties.diskSizeGB"),
                            "an Empty disk needs diskSizeGB",
                        )
                    })?,
                logical_sector_size: creation
                    .get("logicalSectorSize")
                    .and_then(Value::as_u64)
                    .unwrap_or(512),
                zone: r
                    .get("zones")
                    .and_then(Value::as_array)
                    .and_then(|z| z.first())
                    .map(|z| z.as_str().map_or(z.to_string(), str::to_string)),
                iops: props.get("diskIOPSReadWrite").and_then(Value::as_u64),
                mbps: props.get("diskMBpsReadWrite").and_then(Value::as_u64),
            }),
            "Copy" | "Restore" => Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                group: group.to_string(),
                name: name.clone(),
                source: source.ok_or_else(|| {
                    invalid(
                        &format!("{path}.properties.creationData.sourceResourceId"),
                        "missing",
                    )
                })?,
                sku,
                size_gib: props.get("diskSizeGB").and_then(Value::as_u64),
            }),
            other => {
                return Err(invalid(
                    &format!("{path}.properties.creationData.createOption"),
                    format!("'{other}' is not supported for disks in the simulator (Empty, Copy)"),
                ))
            }
        }
    };
    rt.check(&command).map_err(Failure::Refused)?;
    let provider = if kind.ends_with("snapshots") {
        "snapshots"
    } else {
        "disks"
    };
    let id = snaplab_engine::naming::arm_id(subscription, group, provider, &name);
    Ok((name, command, json!({ "id": id, "resourceGroup": group })))
}
