//! Request bodies (DiskRP `Disk`, `DiskUpdate`, `Snapshot`,
//! `SnapshotUpdate`, `GrantAccessData`) read into the engine's commands,
//! the same commands `az disk create` and `az snapshot create` run, so
//! every rule and refusal of the engine applies to a REST client too.
//! A property the simulator does not model is refused by name rather than
//! ignored: a client must not believe it set something that was dropped.

use serde_json::Value;
use snaplab_engine::catalog::DiskSku;
use snaplab_engine::model::Key;
use snaplab_engine::model::{Disk, Snapshot};
use snaplab_engine::{cmd, AccessTarget, Command};
use snaplab_engine::{rest, Lab};

/// A request the body makes impossible: status, ARM code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl From<Refusal> for crate::Failure {
    fn from(r: Refusal) -> Self {
        crate::Failure::Service {
            status: r.status,
            code: r.code,
            message: r.message,
        }
    }
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal {
        status: 400,
        code: "InvalidParameter",
        message: message.into(),
    }
}

/// Disks or snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Disks,
    Snapshots,
}

impl Kind {
    pub fn parse(segment: &str) -> Option<Kind> {
        match segment.to_ascii_lowercase().as_str() {
            "disks" => Some(Kind::Disks),
            "snapshots" => Some(Kind::Snapshots),
            _ => None,
        }
    }
    pub fn target(self) -> AccessTarget {
        match self {
            Kind::Disks => AccessTarget::Disk,
            Kind::Snapshots => AccessTarget::Snapshot,
        }
    }
    /// The engine's name for it in "not found" errors.
    pub fn engine_name(self) -> &'static str {
        match self {
            Kind::Disks => "disks",
            Kind::Snapshots => "snapshots",
        }
    }
}

/// Top-level members a body may carry: what the simulator reads, and what
/// a client echoes back from a GET (read-only, ignored as ARM ignores them).
const TOP: &[&str] = &[
    "location",
    "sku",
    "tags",
    "zones",
    "properties",
    "id",
    "name",
    "type",
    "managedBy",
];
/// Read-only properties the service sends, which a GET-modify-PUT client
/// sends back; ARM ignores them.
const READ_ONLY: &[&str] = &[
    "timeCreated",
    "diskSizeBytes",
    "uniqueId",
    "provisioningState",
    "diskState",
    "encryption",
    "networkAccessPolicy",
    "publicNetworkAccess",
    "completionPercent",
    "incrementalSnapshotFamilyId",
    "copyCompletionError",
];
const DISK_PROPS: &[&str] = &[
    "creationData",
    "diskSizeGB",
    "diskIOPSReadWrite",
    "diskMBpsReadWrite",
    "tier",
];
const SNAPSHOT_PROPS: &[&str] = &["creationData", "incremental", "diskSizeGB"];
/// `DiskUpdate` / `SnapshotUpdate`: what a PATCH may change here.
const DISK_PATCH: &[&str] = &[
    "diskSizeGB",
    "diskIOPSReadWrite",
    "diskMBpsReadWrite",
    "tier",
];
const SNAPSHOT_PATCH: &[&str] = &[];

/// The body of a PUT (or, with `patch`, a PATCH) as a JSON object, with
/// only members the simulator knows.
pub fn parse(bytes: &[u8], kind: Kind, patch: bool) -> Result<Value, Refusal> {
    let body: Value = serde_json::from_slice(bytes).map_err(|e| Refusal {
        status: 400,
        code: "InvalidRequestContent",
        message: format!("The request content was invalid and could not be deserialized: {e}."),
    })?;
    let Some(map) = body.as_object() else {
        return Err(Refusal {
            status: 400,
            code: "InvalidRequestContent",
            message: "The request content must be a JSON object.".into(),
        });
    };
    if let Some(key) = map.keys().find(|k| !TOP.contains(&k.as_str())) {
        return Err(bad(format!(
            "'{key}' is not a member Snaplab models on a resource (see docs/fidelity.md)."
        )));
    }
    if let Some(tags) = map.get("tags").and_then(Value::as_object) {
        if !tags.is_empty() {
            return Err(bad("Tags are not modelled by Snaplab: send none (or {})."));
        }
    }
    let allowed = match (kind, patch) {
        (Kind::Disks, false) => DISK_PROPS,
        (Kind::Snapshots, false) => SNAPSHOT_PROPS,
        (Kind::Disks, true) => DISK_PATCH,
        (Kind::Snapshots, true) => SNAPSHOT_PATCH,
    };
    if let Some(props) = map.get("properties") {
        let Some(props) = props.as_object() else {
            return Err(bad("'properties' must be a JSON object."));
        };
        if let Some(key) = props
            .keys()
            .find(|k| !allowed.contains(&k.as_str()) && !READ_ONLY.contains(&k.as_str()))
        {
            return Err(bad(format!(
                "Property '{key}' is not modelled by Snaplab for {} (see docs/fidelity.md).",
                kind.engine_name()
            )));
        }
    }
    Ok(body)
}

/// A Premium SSD's `tier` and its IOPS and MB/s follow from its size
/// (Azure's tier table), and a GET-modify-PUT client (`az disk update
/// --size-gb`) sends back the ones it read. At or below the baseline of the
/// size asked for they say nothing new (the disk takes that size's
/// baseline) and are taken out of the body; above it they ask for a higher
/// performance tier, which Snaplab does not model, and are refused rather
/// than ignored. On other disks a `tier` is refused likewise; their IOPS and
/// MB/s are left to the engine. `sku`: the body's, else the disk's as it
/// is; the size: the larger of the body's and the disk's (a disk only
/// grows: a smaller size is the engine's refusal to make, with its rule).
/// Removes from a disk's PUT body the performance members az only sent
/// back as it read them (`tier`, `diskIOPSReadWrite`, `diskMBpsReadWrite`
/// equal to what the disk shows): a read-modify-write's echoes, not asks.
pub fn drop_echoes(body: &mut Value, shown: &snaplab_engine::rest::DiskProperties) {
    let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let echoes = [
        ("tier", shown.tier.as_ref().map(|t| Value::from(t.as_str()))),
        (
            "diskIOPSReadWrite",
            shown.disk_iops_read_write.map(Value::from),
        ),
        (
            "diskMBpsReadWrite",
            shown.disk_mbps_read_write.map(Value::from),
        ),
    ];
    for (key, value) in echoes {
        if value.is_some() && props.get(key) == value.as_ref() {
            props.remove(key);
        }
    }
}

/// IOPS and MB/s, each if asked.
type Performance = (Option<u64>, Option<u64>);

/// The IOPS and MB/s a PUT asks for (after its echoes are dropped), if any.
pub fn performance_asked(body: &Value) -> Result<Option<Performance>, Refusal> {
    let iops = number(
        body,
        &["properties", "diskIOPSReadWrite"],
        "diskIOPSReadWrite",
    )?;
    let mbps = number(
        body,
        &["properties", "diskMBpsReadWrite"],
        "diskMBpsReadWrite",
    )?;
    Ok((iops.is_some() || mbps.is_some()).then_some((iops, mbps)))
}

pub fn premium_performance(
    body: &mut Value,
    sku: Option<&str>,
    size_gib: Option<u64>,
) -> Result<(), Refusal> {
    let sku = text(body, &["sku", "name"])
        .or(sku)
        .and_then(|s| DiskSku::parse(s).ok());
    let size = match (
        number(body, &["properties", "diskSizeGB"], "diskSizeGB")?,
        size_gib,
    ) {
        (Some(asked), Some(now)) => Some(asked.max(now)),
        (asked, now) => asked.or(now),
    };
    let baseline = sku.zip(size).and_then(|(sku, size)| sku.premium_tier(size));
    let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let Some((tier, iops, mbps)) = baseline else {
        return match props.get("tier") {
            Some(tier) if !tier.is_null() => Err(bad(format!(
                "Property 'tier' ({tier}) is not modelled by Snaplab for this disk: performance tiers are modelled for Premium SSDs at their size's baseline (see docs/fidelity.md)."
            ))),
            _ => Ok(()),
        };
    };
    let above = |key: &str, limit: u64| {
        props
            .get(key)
            .and_then(Value::as_u64)
            .filter(|v| *v > limit)
            .map(|v| format!("'{key}' {v} (the baseline is {limit})"))
    };
    let tier_above = props.get("tier").and_then(Value::as_str).and_then(|asked| {
        let rank = DiskSku::premium_tier_rank(asked);
        (rank.is_none() || rank > DiskSku::premium_tier_rank(tier))
            .then(|| format!("'tier' {asked}"))
    });
    let asked: Vec<String> = [
        tier_above,
        above("diskIOPSReadWrite", iops),
        above("diskMBpsReadWrite", mbps),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !asked.is_empty() {
        return Err(bad(format!(
            "Snaplab models a Premium SSD at its size's baseline performance tier ({tier}: {iops} IOPS, {mbps} MB/s); {} asks for more, which is not modelled (see docs/fidelity.md).",
            asked.join(", ")
        )));
    }
    for key in ["tier", "diskIOPSReadWrite", "diskMBpsReadWrite"] {
        props.remove(key);
    }
    Ok(())
}

fn text<'v>(body: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(body, |v, k| v.get(k))?.as_str()
}

fn number(body: &Value, path: &[&str], what: &str) -> Result<Option<u64>, Refusal> {
    match path.iter().try_fold(body, |v, k| v.get(k)) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad(format!("'{what}' must be a whole number, not {v}."))),
    }
}

/// The command a PUT body asks for: the one `az disk create` / `az
/// snapshot create` runs, which creates the resource or, if it exists,
/// updates it as ARM's create-or-update does (the engine decides what may
/// change). `existing_sku` stands in for a sku the body leaves out.
/// A disk's PUT body before it is read: what az read and sends back (its
/// echoes of the tier, IOPS and MB/s) is no ask (a conversion from Premium
/// SSD sends the old tier back), and a Premium SSD's performance is checked
/// against its size's baseline. The console's `az disk update` builds az's
/// body and goes through here and [`put_commands`] too, so the console and
/// the endpoint refuse the same things in the same order.
pub fn prepare_disk_put(lab: &Lab, key: &Key, body: &mut Value) -> Result<(), Refusal> {
    let disk = lab.disk_at(key);
    if let Some(d) = disk {
        drop_echoes(body, &rest::disk(d, lab).properties);
    }
    premium_performance(body, disk.map(|d| d.sku.name()), disk.map(|d| d.size_gib()))
}

/// The engine's commands for a PUT (create or update) of a disk or snapshot.
pub fn put_commands(
    lab: &Lab,
    key: &Key,
    kind: Kind,
    group: &str,
    name: &str,
    body: &Value,
) -> Result<Vec<Command>, Refusal> {
    let existing = match kind {
        Kind::Disks => lab.disk_at(key).map(|d| (d.sku.name(), d.size_gib())),
        Kind::Snapshots => lab.snapshot_at(key).map(|s| (s.sku.name(), 0)),
    };
    let create = create(kind, group, name, body, existing.map(|e| e.0))?;
    // A disk made from a snapshot takes new IOPS and MB/s in its PUT too (az
    // disk update sends the whole disk back, creationData and all): a resize
    // with performance.
    Ok(match (&create, performance_asked(body)?, existing) {
        (Command::CreateDiskFromSnapshot(c), Some((iops, mbps)), Some((_, size))) => {
            let resize = Command::ResizeDisk(cmd::ResizeDisk {
                group: c.group.clone(),
                name: c.name.clone(),
                size_gib: size.max(c.size_gib.unwrap_or(0)),
                iops,
                mbps,
            });
            vec![create, resize]
        }
        _ => vec![create],
    })
}

pub fn create(
    kind: Kind,
    group: &str,
    name: &str,
    body: &Value,
    existing_sku: Option<&str>,
) -> Result<Command, Refusal> {
    let option = text(body, &["properties", "creationData", "createOption"])
        .ok_or_else(|| bad("'properties.creationData.createOption' is required."))?;
    let location = text(body, &["location"]).map(str::to_string);
    let sku = text(body, &["sku", "name"])
        .or(existing_sku)
        .map(str::to_string);
    let source =
        text(body, &["properties", "creationData", "sourceResourceId"]).map(str::to_string);
    let need_source = || {
        source.clone().ok_or_else(|| {
            bad(format!(
                "createOption '{option}' needs 'properties.creationData.sourceResourceId'."
            ))
        })
    };
    let size = number(body, &["properties", "diskSizeGB"], "diskSizeGB")?;
    match (kind, option.to_ascii_lowercase().as_str()) {
        (Kind::Snapshots, "copy" | "copystart") => {
            Ok(Command::CreateSnapshot(cmd::CreateSnapshot {
                group: group.into(),
                name: name.into(),
                source: need_source()?,
                incremental: match body.pointer("/properties/incremental") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(v) => {
                        return Err(bad(format!(
                            "'incremental' must be true or false, not {v}."
                        )))
                    }
                },
                sku,
                location,
                copy_start: option.eq_ignore_ascii_case("CopyStart"),
            }))
        }
        (Kind::Disks, kind @ ("empty" | "upload")) => Ok(Command::CreateDisk(cmd::CreateDisk {
            group: group.into(),
            name: name.into(),
            location,
            sku: sku.unwrap_or_else(|| "Standard_LRS".into()),
            upload_size_bytes: match kind {
                "upload" => Some(
                    number(
                        body,
                        &["properties", "creationData", "uploadSizeBytes"],
                        "uploadSizeBytes",
                    )?
                    .ok_or_else(|| {
                        bad("createOption 'Upload' needs 'properties.creationData.uploadSizeBytes'.")
                    })?,
                ),
                _ => None,
            },
            size_gib: match kind {
                "upload" => size.unwrap_or(0),
                _ => size.ok_or_else(|| bad("An Empty disk needs 'properties.diskSizeGB'."))?,
            },
            logical_sector_size: number(
                body,
                &["properties", "creationData", "logicalSectorSize"],
                "logicalSectorSize",
            )?
            .unwrap_or(512),
            zone: body
                .get("zones")
                .and_then(Value::as_array)
                .and_then(|z| z.first())
                .and_then(Value::as_str)
                .map(str::to_string),
            iops: number(
                body,
                &["properties", "diskIOPSReadWrite"],
                "diskIOPSReadWrite",
            )?,
            mbps: number(
                body,
                &["properties", "diskMBpsReadWrite"],
                "diskMBpsReadWrite",
            )?,
        })),
        (Kind::Disks, "copy" | "restore") => Ok(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: group.into(),
                name: name.into(),
                source: need_source()?,
                sku,
                size_gib: size,
            },
        )),
        (_, _) => Err(Refusal {
            status: 501,
            code: "NotImplemented",
            message: format!(
                "createOption '{option}' for {} is not served by snaplab serve: {} are.",
                kind.engine_name(),
                match kind {
                    Kind::Disks => "Empty, Copy and Restore",
                    Kind::Snapshots => "Copy and CopyStart",
                }
            ),
        }),
    }
}

fn unchanged(property: &'static str, hint: &str) -> Refusal {
    Refusal {
        status: 409,
        code: "PropertyChangeNotAllowed",
        message: format!("Changing property '{property}' is not allowed. {hint}"),
    }
}

/// The commands a PATCH (`DiskUpdate`) asks for: a new size or
/// performance (`az disk update`). A new type is refused: the simulator
/// does not convert disks.
pub fn patch_disk(disk: &Disk, group: &str, body: &Value) -> Result<Vec<Command>, Refusal> {
    if let Some(sku) = text(body, &["sku", "name"]) {
        if !sku.eq_ignore_ascii_case(disk.sku.name()) {
            return Err(unchanged(
                "sku",
                "Snaplab does not model changing a disk's type.",
            ));
        }
    }
    let size = number(body, &["properties", "diskSizeGB"], "diskSizeGB")?;
    let (iops, mbps) = performance_asked(body)?.unwrap_or_default();
    let current = disk.performance;
    let same_perf = iops.is_none_or(|i| Some(i) == current.map(|c| c.0))
        && mbps.is_none_or(|m| Some(m) == current.map(|c| c.1));
    if size.is_none_or(|s| s == disk.size_gib()) && same_perf {
        return Ok(Vec::new());
    }
    Ok(vec![Command::ResizeDisk(cmd::ResizeDisk {
        group: group.into(),
        name: disk.at.name.clone(),
        size_gib: size.unwrap_or(disk.size_gib()),
        iops,
        mbps,
    })])
}

/// The commands a PATCH (`SnapshotUpdate`) asks for: a new storage type
/// (`az snapshot update --sku`).
pub fn patch_snapshot(
    snapshot: &Snapshot,
    group: &str,
    body: &Value,
) -> Result<Vec<Command>, Refusal> {
    match text(body, &["sku", "name"]) {
        Some(sku) if !sku.eq_ignore_ascii_case(snapshot.sku.name()) => {
            Ok(vec![Command::UpdateSnapshotSku(cmd::UpdateSnapshotSku {
                group: group.into(),
                name: snapshot.at.name.clone(),
                sku: sku.to_string(),
            })])
        }
        _ => Ok(Vec::new()),
    }
}

/// `GrantAccessData` of `POST …/beginGetAccess`: the command that grants it.
pub fn grant(kind: Kind, group: &str, name: &str, bytes: &[u8]) -> Result<Command, Refusal> {
    let body: Value = serde_json::from_slice(bytes).map_err(|e| Refusal {
        status: 400,
        code: "InvalidRequestContent",
        message: format!("The request content was invalid and could not be deserialized: {e}."),
    })?;
    let access = body
        .get("access")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'access' is required (Read)."))?;
    let access = cmd::Access::parse(access).map_err(|e| bad(e.to_string()))?;
    let seconds = number(&body, &["durationInSeconds"], "durationInSeconds")?
        .ok_or_else(|| bad("'durationInSeconds' is required."))?;
    Ok(Command::GrantAccess(cmd::GrantAccess {
        target: kind.target(),
        group: group.into(),
        name: name.into(),
        duration_seconds: seconds,
        access,
    }))
}
