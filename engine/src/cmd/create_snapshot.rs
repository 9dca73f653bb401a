//! `az snapshot create`: a full or incremental snapshot of a disk, a copy of a
//! snapshot within its region, or (`--copy-start`) to another region (see `copy_start.rs`).

use super::copy_start::copy_to_region;
use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSnapshot {
    pub group: String,
    pub name: String,
    /// A disk or snapshot, by ARM id or by name in `group`.
    pub source: String,
    pub incremental: bool,
    pub sku: Option<String>,
    pub location: Option<String>,
    /// `--copy-start`: copy a snapshot to another region (D1).
    pub copy_start: bool,
}

impl Operation for CreateSnapshot {
    fn kind(&self) -> Kind {
        if self.copy_start {
            Kind::CopySnapshotToRegion
        } else {
            Kind::CreateSnapshot
        }
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        create_snapshot(
            lab,
            self.group,
            self.name,
            self.source,
            self.incremental,
            self.sku,
            self.location,
            self.copy_start,
        )
    }
}

/// A disk or a snapshot, as `--source` names it.
enum Source {
    Disk(Key),
    Snapshot(Key),
}

fn resolve_source(lab: &Lab, group: &str, source: &str) -> Result<Source> {
    if let Some(id) = parse_arm_id(source) {
        let key = Key::new(&id.subscription, &id.group, &id.name);
        return match id.kind.to_lowercase().as_str() {
            "disks" if lab.disks.contains_key(&key) => Ok(Source::Disk(key)),
            "snapshots" if lab.snapshots.contains_key(&key) => Ok(Source::Snapshot(key)),
            "disks" | "snapshots" => Err(EngineError::ResourceNotFound {
                kind: if id.kind.eq_ignore_ascii_case("disks") {
                    "disks"
                } else {
                    "snapshots"
                },
                name: id.name,
                group: id.group,
            }),
            _ => Err(EngineError::InvalidParameter {
                reason: format!("'{source}' is neither a disk nor a snapshot id."),
            }),
        };
    }
    lab.require_group(group)?;
    let key = Key::new(&lab.current_subscription, group, source);
    if lab.disks.contains_key(&key) {
        Ok(Source::Disk(key))
    } else if lab.snapshots.contains_key(&key) {
        Ok(Source::Snapshot(key))
    } else {
        Err(EngineError::ResourceNotFound {
            kind: "disks",
            name: source.to_string(),
            group: group.to_string(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn create_snapshot(
    lab: &mut Lab,
    group: String,
    name: String,
    source: String,
    incremental: bool,
    sku: Option<String>,
    location: Option<String>,
    copy_start: bool,
) -> Result<String> {
    let sku = sku.map(|s| SnapshotSku::parse(&s)).transpose()?;
    let target_location = location.as_deref().map(region).transpose()?;
    let source = resolve_source(lab, &group, &source)?;
    if let Ok(existing) = lab.find_snapshot(&group, &name) {
        // A PUT of a snapshot that exists: create-or-update, as in Azure.
        let existing = existing.at.key();
        if let Some(r) = target_location {
            let here = &lab.snapshots[&existing].at.location;
            if !r.name.eq_ignore_ascii_case(here) {
                return Err(EngineError::PropertyChangeNotAllowed {
                    property: "location",
                    hint: format!("Snapshot '{name}' is in {here}."),
                });
            }
        }
        return update_existing(lab, &existing, &source, incremental, sku, copy_start);
    }
    match source {
        Source::Disk(key) => {
            if copy_start {
                return Err(EngineError::InvalidParameter {
                    reason: "--copy-start copies a snapshot to another region: give a snapshot id as --source, not a disk.".into(),
                });
            }
            let disk = lab.disks[&key].clone();
            if let Some(r) = target_location {
                if r.name != disk.at.location {
                    return Err(EngineError::InvalidParameter {
                        reason: format!(
                            "A snapshot of disk '{}' must be in the disk's region ({}); to get it into {}, snapshot here and copy with --copy-start (D1).",
                            disk.at.name, disk.at.location, r.name
                        ),
                    });
                }
            }
            snapshot_disk(lab, group, name, disk, incremental, sku)
        }
        Source::Snapshot(key) => {
            let src = lab.snapshots[&key].clone();
            let target = target_location.map_or(src.at.location.clone(), |r| r.name.to_string());
            if copy_start || target != src.at.location {
                if !copy_start {
                    return Err(EngineError::InvalidParameter {
                        reason: format!("Copying snapshot '{}' to {target} needs --copy-start (createOption CopyStart, D1).", src.at.name),
                    });
                }
                copy_to_region(lab, group, name, src, target, incremental, sku)
            } else {
                copy_in_region(lab, group, name, src, incremental, sku)
            }
        }
    }
}

/// Creating a snapshot that already exists: the same request again changes
/// nothing and succeeds (ARM's PUT is idempotent, so a re-run script or
/// template works); a new SKU is an update (A5); a different source, kind
/// or create option cannot change once the snapshot exists.
fn update_existing(
    lab: &mut Lab,
    existing: &Key,
    source: &Source,
    incremental: bool,
    sku: Option<SnapshotSku>,
    copy_start: bool,
) -> Result<String> {
    let snapshot = &lab.snapshots[existing];
    let source_id = match source {
        Source::Disk(key) => lab.disks[key].id(),
        Source::Snapshot(key) => lab.snapshots[key].id(),
    };
    let name = snapshot.at.name.clone();
    if !snapshot
        .origin
        .source_resource_id
        .eq_ignore_ascii_case(&source_id)
    {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "sourceResourceId",
            hint: format!(
                "Snapshot '{name}' was taken of {}; to snapshot {source_id}, choose another name.",
                snapshot.origin.source_resource_id
            ),
        });
    }
    if snapshot.incremental != incremental {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "incremental",
            hint: format!(
                "Snapshot '{name}' is {}; a snapshot cannot become {} (choose another name).",
                if snapshot.incremental { "incremental" } else { "full" },
                if incremental { "incremental" } else { "full" }
            ),
        });
    }
    let was_copy_start = snapshot.origin.create_option == "CopyStart";
    if was_copy_start != copy_start {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "createOption",
            hint: format!(
                "Snapshot '{name}' was made with createOption {}.",
                snapshot.origin.create_option
            ),
        });
    }
    match sku {
        Some(sku) if sku != snapshot.sku => {
            lab.snapshots.get_mut(existing).expect("exists").sku = sku;
            Ok(format!(
                "snapshot {name} exists: updated, now stored as {}",
                sku.name()
            ))
        }
        _ => Ok(format!(
            "snapshot {name} exists with these properties: nothing changed (create-or-update)"
        )),
    }
}

fn snapshot_disk(
    lab: &mut Lab,
    group: String,
    name: String,
    disk: Disk,
    incremental: bool,
    sku: Option<SnapshotSku>,
) -> Result<String> {
    let now = lab.now();
    let at = lab.place(&group, &name, Some(&disk.at.location), "snapshot")?;
    if lab.snapshots.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "snapshot",
            name,
            group,
        });
    }
    let home = region(&disk.at.location)?;
    let family_id = family_id_for(&disk.unique_id);
    if incremental {
        rules::b4_same_subscription(&disk.at.subscription, &at.subscription)?;
        rules::c1_feature_access(lab, &disk)?;
        rules::c7_region(disk.sku, home)?;
        rules::c3_pending(lab, &disk)?;
        rules::b1_snapshot_rate(&disk.incremental_snapshot_times, now)?;
        let existing = lab
            .snapshots()
            .filter(|s| s.family_id.as_deref() == Some(family_id.as_str()))
            .count();
        rules::b2_snapshot_count(&disk, existing)?;
    } else if disk.sku.is_v2_or_ultra() {
        return Err(EngineError::InvalidParameter {
            reason: format!("Disk '{}' is {}: only incremental snapshots are supported for Premium SSD v2 and Ultra disks.", disk.at.name, disk.sku.name()),
        });
    }
    // A5: incremental snapshots default to the previous one's SKU, else ZRS where the region has it.
    let sku = sku.unwrap_or_else(|| {
        if incremental {
            lab.family(&family_id)
                .last()
                .map(|s| s.sku)
                .unwrap_or_else(|| SnapshotSku::default_for(home))
        } else {
            SnapshotSku::StandardLrs
        }
    });
    lab.snapshot_seq += 1;
    let d = lab
        .disks
        .get_mut(&disk.at.key())
        .expect("the source disk exists");
    let delta = if incremental {
        d.incremental_snapshot_times
            .retain(|t| now - *t < rules::B1_WINDOW);
        d.incremental_snapshot_times.push(now);
        // The disk's changes since its last incremental snapshot move into this one (A1).
        std::mem::take(&mut d.changed)
    } else {
        RangeSet::new()
    };
    let mut snapshot = Snapshot {
        at,
        sku,
        incremental,
        unique_id: String::new(),
        time_created: now,
        seq: lab.snapshot_seq,
        origin: SnapshotOrigin {
            create_option: "Copy",
            source_resource_id: disk.id(),
            source_unique_id: disk.unique_id.clone(),
            source_snapshot: None,
            source_seq: None,
        },
        family_id: incremental.then_some(family_id),
        disk_size_bytes: disk.data.size_bytes(),
        logical_sector_size: disk.data.logical_sector_size(),
        source_sku: disk.sku,
        content: disk.data.page_map().clone(),
        delta,
        size_epoch: disk.size_epoch,
        background: None,
        copy_error: None,
        sas_active: false,
        transferred_bytes: 0,
        delta_written_pages: 0,
    }
    .measured();
    snapshot.unique_id = lab.next_unique_id();
    if disk.sku.is_v2_or_ultra() {
        // C2: the data copies in the background; completionPercent rises to 100.
        snapshot.background = Some(Progress {
            started: now,
            duration: copy_duration(snapshot.used_bytes(), BACKGROUND_COPY_BYTES_PER_SECOND),
        });
    }
    let summary = format!(
        "{} snapshot {name} of {} created: {} used",
        if incremental { "incremental" } else { "full" },
        disk.at.name,
        human_bytes(snapshot.used_bytes())
    );
    lab.snapshots.insert(snapshot.at.key(), snapshot);
    Ok(summary)
}

/// A copy of a snapshot within its region (to another resource group, B5):
/// a new snapshot with the same data, in a family of its own.
fn copy_in_region(
    lab: &mut Lab,
    group: String,
    name: String,
    src: Snapshot,
    incremental: bool,
    sku: Option<SnapshotSku>,
) -> Result<String> {
    let now = lab.now();
    let at = lab.place(&group, &name, Some(&src.at.location), "snapshot")?;
    if lab.snapshots.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "snapshot",
            name,
            group,
        });
    }
    rules::c2_ready(&src, now, "be copied")?;
    rules::b4_same_subscription(&src.at.subscription, &at.subscription)?;
    lab.snapshot_seq += 1;
    let unique_id = lab.next_unique_id();
    let snapshot = Snapshot {
        family_id: incremental.then(|| family_id_for(&unique_id)),
        unique_id,
        sku: sku.unwrap_or(src.sku),
        incremental,
        time_created: now,
        seq: lab.snapshot_seq,
        origin: SnapshotOrigin {
            create_option: "Copy",
            source_resource_id: src.id(),
            source_unique_id: src.unique_id.clone(),
            source_snapshot: Some(src.at.key()),
            source_seq: None,
        },
        delta: RangeSet::from_ranges(src.content.written_ranges()),
        background: None,
        copy_error: None,
        sas_active: false,
        transferred_bytes: 0,
        at,
        ..src
    }
    .measured();
    let summary = format!(
        "snapshot {} copied to {group}/{name}",
        snapshot.origin.source_resource_id
    );
    lab.snapshots.insert(snapshot.at.key(), snapshot);
    Ok(summary)
}
