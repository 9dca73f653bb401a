//! Every operation on the lab, as one enum: the operation log is a list of
//! these, and `state = replay(log)`.
//!
//! Each variant's `apply` checks everything first (through the rule
//! functions in `restrictions.rs`) and only then changes the lab; the lab
//! also undoes a half-applied command on error (see `Lab::execute`), so a
//! refused command never leaves a trace but its event.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::background::{
    copy_duration, BACKGROUND_COPY_BYTES_PER_SECOND, CROSS_REGION_BYTES_PER_SECOND,
};
use crate::catalog::{region, DiskSku, SnapshotSku};
use crate::clock::Span;
use crate::disk::DiskData;
use crate::error::{EngineError, Result};
use crate::lab::{parse_arm_id, Lab};
use crate::model::{
    written_pages_within, CopyError, Disk, DiskOrigin, Key, Placement, Progress, ResourceGroup,
    Snapshot, SnapshotOrigin, Subscription, Vm,
};
use crate::naming::{check_compute_name, check_group_name, family_id_for, uuid_from};
use crate::payload::PatternKind;
use crate::range_set::RangeSet;
use crate::restrictions as rules;
use crate::units::{human_bytes, PAGE_SIZE};

/// What a write puts on the disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WriteData {
    /// Real bytes (what a user typed or uploaded), hex-encoded in the log.
    Bytes {
        #[serde(with = "hex_bytes")]
        bytes: Bytes,
    },
    /// `length` bytes of a generated pattern.
    Pattern {
        pattern: PatternKind,
        seed: u64,
        length: u64,
    },
    /// Real bytes kept by the store as blob `blob` (how the stored operation
    /// log refers to them; the journal puts the bytes back before replaying).
    Stored { blob: u64, length: u64 },
    /// Real bytes no disk or snapshot refers to any more, freed by the store
    /// (or never kept, for a refused write). Replays as zeros, which nothing
    /// can read: no page that held them is still reachable.
    Freed { length: u64 },
}

impl WriteData {
    /// Real bytes. Shared, not copied, as the command is logged and applied.
    pub fn bytes(bytes: impl Into<Bytes>) -> WriteData {
        WriteData::Bytes {
            bytes: bytes.into(),
        }
    }

    pub fn length(&self) -> u64 {
        match self {
            WriteData::Bytes { bytes } => bytes.len() as u64,
            WriteData::Pattern { length, .. }
            | WriteData::Stored { length, .. }
            | WriteData::Freed { length } => *length,
        }
    }
}

/// Which kind of resource a SAS is granted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccessTarget {
    Disk,
    Snapshot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Command {
    /// A second subscription, to show B4.
    AddSubscription {
        name: String,
    },
    /// `az account set --subscription`.
    SelectSubscription {
        subscription: String,
    },
    /// Feature access for Premium SSD v2 / Ultra snapshots on the current subscription (C1).
    SetFeatureAccess {
        enabled: bool,
    },
    CreateGroup {
        name: String,
        location: String,
    },
    DeleteGroup {
        name: String,
    },
    CreateDisk {
        group: String,
        name: String,
        location: Option<String>,
        sku: String,
        size_gib: u64,
        logical_sector_size: u64,
    },
    /// A restore: a new disk from a snapshot (`--source`).
    CreateDiskFromSnapshot {
        group: String,
        name: String,
        source: String,
        sku: Option<String>,
        size_gib: Option<u64>,
    },
    DeleteDisk {
        group: String,
        name: String,
    },
    ResizeDisk {
        group: String,
        name: String,
        size_gib: u64,
    },
    Write {
        group: String,
        disk: String,
        offset: u64,
        data: WriteData,
    },
    /// TRIM / unmap (A10).
    Clear {
        group: String,
        disk: String,
        offset: u64,
        length: u64,
    },
    CreateSnapshot {
        group: String,
        name: String,
        /// A disk or snapshot, by ARM id or by name in `group`.
        source: String,
        incremental: bool,
        sku: Option<String>,
        location: Option<String>,
        /// `--copy-start`: copy a snapshot to another region (D1).
        copy_start: bool,
    },
    DeleteSnapshot {
        group: String,
        name: String,
    },
    /// `az snapshot update --sku`: change where a snapshot is stored (A5: possible, not recommended).
    UpdateSnapshotSku {
        group: String,
        name: String,
        sku: String,
    },
    /// Move a snapshot to another group or subscription (refused for incremental: B4, B5).
    MoveSnapshot {
        group: String,
        name: String,
        target_group: String,
        target_subscription: Option<String>,
    },
    GrantAccess {
        target: AccessTarget,
        group: String,
        name: String,
        duration_seconds: u64,
    },
    RevokeAccess {
        target: AccessTarget,
        group: String,
        name: String,
    },
    CreateVm {
        group: String,
        name: String,
        location: Option<String>,
    },
    /// Start (true) or deallocate (false) a VM.
    SetVmRunning {
        group: String,
        name: String,
        running: bool,
    },
    AttachDisk {
        group: String,
        vm: String,
        disk: String,
    },
    DetachDisk {
        group: String,
        vm: String,
        disk: String,
    },
    /// Moves the simulated clock forward; background copies progress.
    AdvanceClock {
        millis: u64,
    },
}

impl Command {
    /// A short name for the event log.
    pub fn operation(&self) -> &'static str {
        match self {
            Command::AddSubscription { .. } => "subscription add",
            Command::SelectSubscription { .. } => "account set",
            Command::SetFeatureAccess { .. } => "feature register",
            Command::CreateGroup { .. } => "group create",
            Command::DeleteGroup { .. } => "group delete",
            Command::CreateDisk { .. } => "disk create",
            Command::CreateDiskFromSnapshot { .. } => "disk create --source",
            Command::DeleteDisk { .. } => "disk delete",
            Command::ResizeDisk { .. } => "disk update --size-gb",
            Command::Write { .. } => "write",
            Command::Clear { .. } => "trim",
            Command::CreateSnapshot {
                copy_start: true, ..
            } => "snapshot create --copy-start",
            Command::CreateSnapshot { .. } => "snapshot create",
            Command::DeleteSnapshot { .. } => "snapshot delete",
            Command::UpdateSnapshotSku { .. } => "snapshot update",
            Command::MoveSnapshot { .. } => "resource move",
            Command::GrantAccess { .. } => "grant-access",
            Command::RevokeAccess { .. } => "revoke-access",
            Command::CreateVm { .. } => "vm create",
            Command::SetVmRunning { running: true, .. } => "vm start",
            Command::SetVmRunning { .. } => "vm deallocate",
            Command::AttachDisk { .. } => "vm disk attach",
            Command::DetachDisk { .. } => "vm disk detach",
            Command::AdvanceClock { .. } => "clock advance",
        }
    }

    /// The resource the command is about, for the event log.
    pub fn resource(&self) -> String {
        match self {
            Command::AddSubscription { name }
            | Command::SelectSubscription { subscription: name } => name.clone(),
            Command::SetFeatureAccess { .. } | Command::AdvanceClock { .. } => String::new(),
            Command::CreateGroup { name, .. } | Command::DeleteGroup { name } => name.clone(),
            Command::CreateDisk { group, name, .. }
            | Command::CreateDiskFromSnapshot { group, name, .. }
            | Command::DeleteDisk { group, name }
            | Command::ResizeDisk { group, name, .. }
            | Command::CreateSnapshot { group, name, .. }
            | Command::DeleteSnapshot { group, name }
            | Command::UpdateSnapshotSku { group, name, .. }
            | Command::MoveSnapshot { group, name, .. }
            | Command::GrantAccess { group, name, .. }
            | Command::RevokeAccess { group, name, .. }
            | Command::CreateVm { group, name, .. }
            | Command::SetVmRunning { group, name, .. } => format!("{group}/{name}"),
            Command::Write { group, disk, .. } | Command::Clear { group, disk, .. } => {
                format!("{group}/{disk}")
            }
            Command::AttachDisk { group, vm, disk } | Command::DetachDisk { group, vm, disk } => {
                format!("{group}/{vm}/{disk}")
            }
        }
    }

    /// Applies the command to `lab`. Called only by [`Lab::execute`], which
    /// restores the lab if this returns an error.
    pub(crate) fn apply(self, lab: &mut Lab) -> Result<String> {
        match self {
            Command::AddSubscription { name } => add_subscription(lab, name),
            Command::SelectSubscription { subscription } => {
                let id = lab
                    .subscription(&subscription)
                    .ok_or(EngineError::SubscriptionNotFound { subscription })?
                    .id
                    .clone();
                lab.current_subscription = id.clone();
                Ok(format!("current subscription is {id}"))
            }
            Command::SetFeatureAccess { enabled } => {
                let id = lab.current_subscription.clone();
                let sub = lab
                    .subscriptions
                    .get_mut(&id)
                    .expect("the current subscription exists");
                sub.v2_ultra_snapshots = enabled;
                Ok(format!(
                    "Premium SSD v2 / Ultra snapshot access {} (C1)",
                    if enabled { "granted" } else { "removed" }
                ))
            }
            Command::CreateGroup { name, location } => create_group(lab, name, location),
            Command::DeleteGroup { name } => delete_group(lab, name),
            Command::CreateDisk {
                group,
                name,
                location,
                sku,
                size_gib,
                logical_sector_size,
            } => create_disk(
                lab,
                group,
                name,
                location,
                sku,
                size_gib,
                logical_sector_size,
            ),
            Command::CreateDiskFromSnapshot {
                group,
                name,
                source,
                sku,
                size_gib,
            } => restore_disk(lab, group, name, source, sku, size_gib),
            Command::DeleteDisk { group, name } => delete_disk(lab, group, name),
            Command::ResizeDisk {
                group,
                name,
                size_gib,
            } => resize_disk(lab, group, name, size_gib),
            Command::Write {
                group,
                disk,
                offset,
                data,
            } => write(lab, group, disk, offset, data),
            Command::Clear {
                group,
                disk,
                offset,
                length,
            } => clear(lab, group, disk, offset, length),
            Command::CreateSnapshot {
                group,
                name,
                source,
                incremental,
                sku,
                location,
                copy_start,
            } => create_snapshot(
                lab,
                group,
                name,
                source,
                incremental,
                sku,
                location,
                copy_start,
            ),
            Command::DeleteSnapshot { group, name } => {
                let key = lab.find_snapshot(&group, &name)?.at.key();
                delete_snapshot(lab, &key);
                Ok(format!("snapshot {name} deleted"))
            }
            Command::UpdateSnapshotSku { group, name, sku } => {
                let sku = SnapshotSku::parse(&sku)?;
                let key = lab.find_snapshot(&group, &name)?.at.key();
                lab.snapshots.get_mut(&key).expect("found").sku = sku;
                Ok(format!("snapshot {name} now stored as {}", sku.name()))
            }
            Command::MoveSnapshot {
                group,
                name,
                target_group,
                target_subscription,
            } => move_snapshot(lab, group, name, target_group, target_subscription),
            Command::GrantAccess {
                target,
                group,
                name,
                duration_seconds,
            } => grant_access(lab, target, group, name, duration_seconds),
            Command::RevokeAccess {
                target,
                group,
                name,
            } => revoke_access(lab, target, group, name),
            Command::CreateVm {
                group,
                name,
                location,
            } => create_vm(lab, group, name, location),
            Command::SetVmRunning {
                group,
                name,
                running,
            } => {
                let key = lab.require_vm(&group, &name)?;
                lab.vms.get_mut(&key).expect("found above").running = running;
                Ok(format!(
                    "VM {name} {}",
                    if running { "running" } else { "deallocated" }
                ))
            }
            Command::AttachDisk { group, vm, disk } => attach_disk(lab, group, vm, disk),
            Command::DetachDisk { group, vm, disk } => detach_disk(lab, group, vm, disk),
            Command::AdvanceClock { millis } => {
                advance_clock(lab, Span::millis(millis));
                Ok(format!("clock at {}", lab.now()))
            }
        }
    }
}

impl Lab {
    fn require_vm(&self, group: &str, name: &str) -> Result<Key> {
        self.require_group(group)?;
        self.vm(&self.current_subscription, group, name)
            .map(|vm| vm.at.key())
            .ok_or_else(|| EngineError::ResourceNotFound {
                kind: "virtualMachines",
                name: name.to_string(),
                group: group.to_string(),
            })
    }

    /// The canonical placement of a new resource in `group` of the current subscription.
    fn place(
        &self,
        group: &str,
        name: &str,
        location: Option<&str>,
        kind: &'static str,
    ) -> Result<Placement> {
        let rg = self.require_group(group)?;
        check_compute_name(kind, name)?;
        let location = match location {
            Some(l) => region(l)?.name.to_string(),
            None => rg.location.clone(),
        };
        Ok(Placement {
            subscription: self.current_subscription.clone(),
            group: rg.name.clone(),
            name: name.to_string(),
            location,
        })
    }
}

fn add_subscription(lab: &mut Lab, name: String) -> Result<String> {
    if name.trim().is_empty() {
        return Err(EngineError::InvalidParameter {
            reason: "A subscription needs a name.".into(),
        });
    }
    if lab.subscription(&name).is_some() {
        return Err(EngineError::AlreadyExists {
            kind: "subscription",
            name,
            group: "-".into(),
        });
    }
    let id = uuid_from(lab.subscriptions.len() as u64 + 1, 0x5B5);
    lab.subscriptions.insert(
        id.clone(),
        Subscription {
            id: id.clone(),
            name,
            v2_ultra_snapshots: false,
        },
    );
    Ok(format!("subscription {id} added"))
}

fn create_group(lab: &mut Lab, name: String, location: String) -> Result<String> {
    check_group_name(&name)?;
    let location = region(&location)?.name.to_string();
    let key = (lab.current_subscription.to_lowercase(), name.to_lowercase());
    if lab.groups.contains_key(&key) {
        // `az group create` on an existing group is a no-op update.
        return Ok(format!("resource group {name} already exists"));
    }
    lab.groups.insert(
        key,
        ResourceGroup {
            subscription: lab.current_subscription.clone(),
            name: name.clone(),
            location,
        },
    );
    Ok(format!("resource group {name} created"))
}

fn delete_group(lab: &mut Lab, name: String) -> Result<String> {
    let group = lab.require_group(&name)?.clone();
    let inside = |at: &Placement| {
        at.subscription == group.subscription && at.group.eq_ignore_ascii_case(&group.name)
    };
    // Like `az group delete`: everything inside goes, VMs first so disks detach.
    let vms: Vec<Key> = lab
        .vms
        .values()
        .filter(|v| inside(&v.at))
        .map(|v| v.at.key())
        .collect();
    for key in vms {
        let vm = lab.vms.remove(&key).expect("listed above");
        for disk in vm.data_disks {
            if let Some(d) = lab
                .disks
                .get_mut(&Key::new(&vm.at.subscription, &vm.at.group, &disk))
            {
                d.managed_by = None;
            }
        }
    }
    let disks: Vec<Key> = lab
        .disks
        .values()
        .filter(|d| inside(&d.at))
        .map(|d| d.at.key())
        .collect();
    let snapshots: Vec<Key> = lab
        .snapshots
        .values()
        .filter(|s| inside(&s.at))
        .map(|s| s.at.key())
        .collect();
    let count = disks.len() + snapshots.len();
    for key in snapshots {
        delete_snapshot(lab, &key);
    }
    for key in disks {
        lab.disks.remove(&key);
    }
    lab.groups
        .remove(&(group.subscription.to_lowercase(), group.name.to_lowercase()));
    Ok(format!(
        "resource group {name} deleted with {count} disk(s) and snapshot(s)"
    ))
}

fn create_disk(
    lab: &mut Lab,
    group: String,
    name: String,
    location: Option<String>,
    sku: String,
    size_gib: u64,
    logical_sector_size: u64,
) -> Result<String> {
    let at = lab.place(&group, &name, location.as_deref(), "disk")?;
    let sku = DiskSku::parse(&sku)?;
    let data = DiskData::new(size_gib, logical_sector_size)?;
    if logical_sector_size == 4096 && !sku.is_v2_or_ultra() {
        return Err(EngineError::InvalidParameter {
            reason: format!("A logical sector size of 4096 is only supported for Ultra and Premium SSD v2 disks, not {} (rule C6).", sku.name()),
        });
    }
    if lab.disks.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "disk",
            name,
            group,
        });
    }
    let disk = Disk {
        unique_id: lab.next_unique_id(),
        at,
        sku,
        time_created: lab.now(),
        origin: DiskOrigin::Empty,
        data,
        changed: RangeSet::new(),
        managed_by: None,
        hydration: None,
        sas_active: false,
        size_epoch: 0,
        incremental_snapshot_times: Vec::new(),
    };
    let summary = format!("disk {name} created: {} GiB {}", size_gib, sku.name());
    lab.disks.insert(disk.at.key(), disk);
    Ok(summary)
}

fn restore_disk(
    lab: &mut Lab,
    group: String,
    name: String,
    source: String,
    sku: Option<String>,
    size_gib: Option<u64>,
) -> Result<String> {
    let now = lab.now();
    let snapshot = lab.resolve_snapshot(&group, &source)?.clone();
    let at = lab.place(&group, &name, Some(&snapshot.at.location), "disk")?;
    if lab.disks.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "disk",
            name,
            group,
        });
    }
    rules::c2_ready(&snapshot, now, "create a disk")?;
    let sku = match sku {
        Some(s) => DiskSku::parse(&s)?,
        None => snapshot.source_sku,
    };
    rules::c6_sector_size(&snapshot, sku)?;
    rules::c4_disks_from_snapshot(lab, &snapshot)?;
    let snapshot_gib = snapshot.disk_size_bytes / crate::units::GIB;
    let size_gib = size_gib.unwrap_or(snapshot_gib);
    if size_gib < snapshot_gib {
        return Err(EngineError::ShrinkNotAllowed {
            current_gib: snapshot_gib,
            requested_gib: size_gib,
        });
    }
    let data = DiskData::with_pages(
        size_gib,
        snapshot.logical_sector_size,
        snapshot.content.clone(),
    )?;
    // A new disk is a new family: its first incremental snapshot holds all its data (A1, A3).
    let changed = RangeSet::from_ranges(snapshot.content.written_ranges());
    let hydration = snapshot.source_sku.is_v2_or_ultra().then(|| Progress {
        started: now,
        duration: copy_duration(data.used_bytes(), BACKGROUND_COPY_BYTES_PER_SECOND),
    });
    let disk = Disk {
        unique_id: lab.next_unique_id(),
        at,
        sku,
        time_created: now,
        origin: DiskOrigin::FromSnapshot {
            snapshot_id: snapshot.id(),
            snapshot_unique_id: snapshot.unique_id.clone(),
        },
        data,
        changed,
        managed_by: None,
        hydration,
        sas_active: false,
        size_epoch: 0,
        incremental_snapshot_times: Vec::new(),
    };
    let summary = format!(
        "disk {name} restored from snapshot {} ({} used)",
        snapshot.at.name,
        human_bytes(disk.data.used_bytes())
    );
    lab.disks.insert(disk.at.key(), disk);
    Ok(summary)
}

fn delete_disk(lab: &mut Lab, group: String, name: String) -> Result<String> {
    let disk = lab.find_disk(&group, &name)?;
    if let Some(vm) = &disk.managed_by {
        return Err(EngineError::DiskAttached {
            operation: "delete",
            disk: name,
            vm: vm.clone(),
        });
    }
    if disk.sas_active {
        return Err(EngineError::DiskHasActiveSas {
            operation: "delete",
            disk: name,
        });
    }
    let key = disk.at.key();
    lab.disks.remove(&key);
    // Its snapshots stay: they are resources of their own (A2).
    Ok(format!("disk {name} deleted; its snapshots remain"))
}

fn resize_disk(lab: &mut Lab, group: String, name: String, size_gib: u64) -> Result<String> {
    let disk = lab.find_disk(&group, &name)?.clone();
    rules::b7_resize(lab, &disk, size_gib)?;
    let crossed = rules::b6_crosses_boundary(disk.size_gib(), size_gib);
    let d = lab.disks.get_mut(&disk.at.key()).expect("found above");
    d.data.grow(size_gib)?;
    if crossed {
        d.size_epoch += 1;
    }
    Ok(format!(
        "disk {name} resized from {} GiB to {size_gib} GiB{}",
        disk.size_gib(),
        if crossed {
            " across the 4 TiB boundary: snapshots from before cannot be diffed with later ones (B6)"
        } else {
            ""
        }
    ))
}

fn write(
    lab: &mut Lab,
    group: String,
    name: String,
    offset: u64,
    data: WriteData,
) -> Result<String> {
    let key = lab.find_disk(&group, &name)?.at.key();
    let range = lab.disks[&key].data.check_range(offset, data.length())?;
    let length = data.length();
    // Real bytes get a blob id, in log order, so a replay gives the same ids.
    let blob = matches!(data, WriteData::Bytes { .. } | WriteData::Freed { .. })
        .then(|| lab.allocate_blob(range));
    let disk = lab.disks.get_mut(&key).expect("found above");
    match (data, blob) {
        (WriteData::Bytes { bytes }, Some(blob)) => disk.data.write_blob(offset, blob, bytes)?,
        (
            WriteData::Pattern {
                pattern,
                seed,
                length,
            },
            _,
        ) => disk.data.write_pattern(offset, length, pattern, seed)?,
        (WriteData::Freed { length }, _) => {
            disk.data
                .write_pattern(offset, length, PatternKind::Fill, 0)?
        }
        (WriteData::Stored { blob, .. }, _) => {
            return Err(EngineError::InvalidParameter {
                reason: format!("The bytes of blob {blob} were not loaded from storage."),
            })
        }
        (WriteData::Bytes { .. }, None) => unreachable!("bytes always get a blob"),
    }
    // Any write is a change, identical bytes or not (A8).
    disk.changed.insert(range);
    Ok(format!(
        "wrote {} at byte {offset} of {name}",
        human_bytes(length)
    ))
}

fn clear(lab: &mut Lab, group: String, name: String, offset: u64, length: u64) -> Result<String> {
    let key = lab.find_disk(&group, &name)?.at.key();
    let disk = lab.disks.get_mut(&key).expect("found above");
    let range = disk.data.check_range(offset, length)?;
    disk.data.clear(offset, length)?;
    disk.changed.insert(range);
    Ok(format!(
        "cleared {} at byte {offset} of {name} (TRIM)",
        human_bytes(length)
    ))
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
    match resolve_source(lab, &group, &source)? {
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
    };
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
        },
        delta: RangeSet::from_ranges(src.content.written_ranges()),
        background: None,
        copy_error: None,
        sas_active: false,
        transferred_bytes: 0,
        at,
        ..src
    };
    let summary = format!(
        "snapshot {} copied to {group}/{name}",
        snapshot.origin.source_resource_id
    );
    lab.snapshots.insert(snapshot.at.key(), snapshot);
    Ok(summary)
}

/// `--copy-start` to another region (D1–D4): only the changes since the
/// last snapshot of the family already copied there cross regions (D2).
fn copy_to_region(
    lab: &mut Lab,
    group: String,
    name: String,
    src: Snapshot,
    target: String,
    incremental: bool,
    sku: Option<SnapshotSku>,
) -> Result<String> {
    let now = lab.now();
    let at = lab.place(&group, &name, Some(&target), "snapshot")?;
    if lab.snapshots.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "snapshot",
            name,
            group,
        });
    }
    if !incremental || !src.incremental {
        return Err(EngineError::InvalidParameter {
            reason: "CopyStart copies incremental snapshots: the source must be incremental and --incremental true given (D1).".into(),
        });
    }
    if target == src.at.location {
        return Err(EngineError::CopyStartSameRegion { region: target });
    }
    rules::b4_same_subscription(&src.at.subscription, &at.subscription)?;
    rules::c2_ready(&src, now, "be copied")?;
    let source_family = src
        .family_id
        .clone()
        .expect("incremental snapshots have a family");
    let copying = |s: &&Snapshot| {
        s.origin.create_option == "CopyStart"
            && s.background.is_some_and(|p| !p.is_done(now))
            && s.copy_error.is_none()
    };
    // D3: one snapshot of a disk at a time.
    if let Some(running) = lab.snapshots().filter(copying).find(|s| {
        s.origin
            .source_snapshot
            .as_ref()
            .and_then(|k| lab.snapshots.get(k))
            .and_then(|s| s.family_id.as_deref())
            == Some(source_family.as_str())
    }) {
        return Err(EngineError::CopyAlreadyRunning {
            disk: src.origin.source_resource_id.clone(),
            region: running.at.location.clone(),
            running: running.at.name.clone(),
        });
    }
    // D3: at most 100 in parallel per subscription per target region.
    let parallel = lab
        .snapshots()
        .filter(copying)
        .filter(|s| s.at.location == target && s.at.subscription == at.subscription)
        .count();
    if parallel >= rules::D3_MAX_PARALLEL_COPIES {
        return Err(EngineError::TooManyParallelCopies {
            region: target,
            count: parallel,
        });
    }
    let target_family = family_id_for(&format!("{source_family}@{target}"));
    let previous = lab
        .family(&target_family)
        .into_iter()
        .rev()
        .find(|s| s.copy_error.is_none())
        .cloned();
    let previous_source = previous
        .as_ref()
        .and_then(|p| p.origin.source_snapshot.as_ref())
        .and_then(|k| lab.snapshots.get(k))
        .cloned();
    // D3: in creation order.
    if let Some(prev_src) = &previous_source {
        if prev_src.seq >= src.seq {
            return Err(EngineError::CopyOutOfOrder {
                snapshot: src.at.name.clone(),
                already: prev_src.at.name.clone(),
                region: target,
            });
        }
    }
    // D2: only what changed since the last copy in the target region crosses.
    let delta = match &previous_source {
        Some(prev_src) => {
            let mut changed = RangeSet::new();
            for member in lab.family(&source_family) {
                if member.seq > prev_src.seq && member.seq <= src.seq {
                    changed.union_with(&member.delta);
                }
            }
            changed
        }
        None => RangeSet::from_ranges(src.content.written_ranges()),
    };
    let transferred_bytes = written_pages_within(&src.content, &delta) * PAGE_SIZE;
    lab.snapshot_seq += 1;
    let snapshot = Snapshot {
        unique_id: lab.next_unique_id(),
        family_id: Some(target_family),
        sku: sku
            .unwrap_or_else(|| SnapshotSku::default_for(region(&target).expect("checked above"))),
        time_created: now,
        seq: lab.snapshot_seq,
        origin: SnapshotOrigin {
            create_option: "CopyStart",
            source_resource_id: src.id(),
            source_unique_id: src.unique_id.clone(),
            source_snapshot: Some(src.at.key()),
        },
        delta,
        background: Some(Progress {
            started: now,
            duration: copy_duration(transferred_bytes, CROSS_REGION_BYTES_PER_SECOND),
        }),
        copy_error: None,
        sas_active: false,
        transferred_bytes,
        at,
        ..src
    };
    let summary = format!(
        "copy of {} to {target} started: {} to transfer",
        src.at.name,
        human_bytes(transferred_bytes)
    );
    lab.snapshots.insert(snapshot.at.key(), snapshot);
    Ok(summary)
}

/// Deletes a snapshot. Its changes still needed move into the next snapshot
/// of its family (A9), or back into the disk's pending changes when it was
/// the newest, so the next snapshot still holds everything since the one before.
pub(crate) fn delete_snapshot(lab: &mut Lab, key: &Key) {
    let now = lab.now();
    let Some(snapshot) = lab.snapshots.remove(key) else {
        return;
    };
    if let Some(family) = &snapshot.family_id {
        let next = lab
            .family(family)
            .into_iter()
            .find(|s| s.seq > snapshot.seq)
            .map(|s| s.at.key());
        match next {
            Some(next) => lab
                .snapshots
                .get_mut(&next)
                .expect("member")
                .delta
                .union_with(&snapshot.delta),
            None => {
                if let Some(disk) = lab
                    .disks
                    .values()
                    .find(|d| d.unique_id == snapshot.origin.source_unique_id)
                    .map(|d| d.at.key())
                {
                    lab.disks
                        .get_mut(&disk)
                        .expect("found")
                        .changed
                        .union_with(&snapshot.delta);
                }
            }
        }
    }
    // D4: a copy still reading from this snapshot fails.
    let failing: Vec<Key> = lab
        .snapshots()
        .filter(|s| {
            s.origin.source_snapshot.as_ref() == Some(key) && s.origin.create_option == "CopyStart"
        })
        .filter(|s| s.copy_error.is_none() && s.background.is_some_and(|p| !p.is_done(now)))
        .map(|s| s.at.key())
        .collect();
    for k in failing {
        let copy = lab.snapshots.get_mut(&k).expect("listed");
        copy.copy_error = Some(CopyError {
            code: "CopySourceNotFound".into(),
            message: format!(
                "The source snapshot {} was deleted while it was being copied (D4).",
                snapshot.id()
            ),
            percent: copy.completion_percent(now),
        });
    }
}

fn move_snapshot(
    lab: &mut Lab,
    group: String,
    name: String,
    target_group: String,
    target_subscription: Option<String>,
) -> Result<String> {
    let snapshot = lab.find_snapshot(&group, &name)?.clone();
    let target_sub = match &target_subscription {
        Some(s) => lab
            .subscription(s)
            .ok_or_else(|| EngineError::SubscriptionNotFound {
                subscription: s.clone(),
            })?
            .id
            .clone(),
        None => snapshot.at.subscription.clone(),
    };
    rules::b4_b5_no_move(&snapshot, &target_sub)?;
    let rg = lab
        .group(&target_sub, &target_group)
        .ok_or_else(|| EngineError::ResourceGroupNotFound {
            group: target_group.clone(),
        })?
        .name
        .clone();
    let mut moved = snapshot.clone();
    moved.at.subscription = target_sub;
    moved.at.group = rg;
    if lab.snapshots.contains_key(&moved.at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "snapshot",
            name,
            group: target_group,
        });
    }
    lab.snapshots.remove(&snapshot.at.key());
    lab.snapshots.insert(moved.at.key(), moved);
    Ok(format!("full snapshot {name} moved to {target_group}"))
}

/// A SAS URL that looks like Azure's; the signature is marked simulated.
fn sas_url(unique_id: &str, seconds: u64) -> String {
    format!("https://md-{}.blob.core.windows.net/{}/abcd?sv=2018-03-28&sr=b&se={seconds}s&sp=r&sig=SIMULATED", &unique_id[..8], unique_id.replace('-', ""))
}

fn grant_access(
    lab: &mut Lab,
    target: AccessTarget,
    group: String,
    name: String,
    duration_seconds: u64,
) -> Result<String> {
    if duration_seconds == 0 {
        return Err(EngineError::InvalidParameter {
            reason: "--duration-in-seconds must be more than 0.".into(),
        });
    }
    let now = lab.now();
    match target {
        AccessTarget::Snapshot => {
            let snapshot = lab.find_snapshot(&group, &name)?.clone();
            rules::c2_ready(&snapshot, now, "give a SAS")?;
            if snapshot.sas_active {
                return Ok(sas_url(&snapshot.unique_id, duration_seconds));
            }
            if let Some(family) = &snapshot.family_id {
                rules::b3_sas_per_family(lab, family)?;
            }
            lab.snapshots
                .get_mut(&snapshot.at.key())
                .expect("found")
                .sas_active = true;
            Ok(sas_url(&snapshot.unique_id, duration_seconds))
        }
        AccessTarget::Disk => {
            let disk = lab.find_disk(&group, &name)?.clone();
            if let Some(vm) = &disk.managed_by {
                return Err(EngineError::DiskAttached {
                    operation: "grant-access",
                    disk: name,
                    vm: vm.clone(),
                });
            }
            lab.disks.get_mut(&disk.at.key()).expect("found").sas_active = true;
            Ok(sas_url(&disk.unique_id, duration_seconds))
        }
    }
}

fn revoke_access(
    lab: &mut Lab,
    target: AccessTarget,
    group: String,
    name: String,
) -> Result<String> {
    match target {
        AccessTarget::Snapshot => {
            let key = lab.find_snapshot(&group, &name)?.at.key();
            lab.snapshots.get_mut(&key).expect("found").sas_active = false;
        }
        AccessTarget::Disk => {
            let key = lab.find_disk(&group, &name)?.at.key();
            lab.disks.get_mut(&key).expect("found").sas_active = false;
        }
    }
    Ok(format!("access to {name} revoked"))
}

fn create_vm(
    lab: &mut Lab,
    group: String,
    name: String,
    location: Option<String>,
) -> Result<String> {
    let at = lab.place(&group, &name, location.as_deref(), "virtual machine")?;
    if lab.vms.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "virtual machine",
            name,
            group,
        });
    }
    lab.vms.insert(
        at.key(),
        Vm {
            at,
            running: true,
            data_disks: Vec::new(),
        },
    );
    Ok(format!("VM {name} created and running"))
}

fn attach_disk(lab: &mut Lab, group: String, vm: String, disk: String) -> Result<String> {
    let vm_key = lab.require_vm(&group, &vm)?;
    let d = lab.find_disk(&group, &disk)?.clone();
    if let Some(other) = &d.managed_by {
        return Err(EngineError::DiskAttached {
            operation: "attach",
            disk,
            vm: other.clone(),
        });
    }
    if d.sas_active {
        return Err(EngineError::DiskHasActiveSas {
            operation: "attach",
            disk,
        });
    }
    rules::c5_attachable(&d, lab.now())?;
    let machine = &lab.vms[&vm_key];
    if machine.at.location != d.at.location {
        return Err(EngineError::InvalidParameter {
            reason: format!("Disk '{disk}' is in {} and VM '{vm}' in {}: a disk attaches only to a VM in its region.", d.at.location, machine.at.location),
        });
    }
    let vm_name = machine.at.name.clone();
    lab.vms
        .get_mut(&vm_key)
        .expect("found")
        .data_disks
        .push(d.at.name.clone());
    lab.disks.get_mut(&d.at.key()).expect("found").managed_by = Some(vm_name);
    Ok(format!("disk {disk} attached to {vm}"))
}

fn detach_disk(lab: &mut Lab, group: String, vm: String, disk: String) -> Result<String> {
    let vm_key = lab.require_vm(&group, &vm)?;
    let d = lab.find_disk(&group, &disk)?.clone();
    let machine = lab.vms.get_mut(&vm_key).expect("found");
    let Some(position) = machine
        .data_disks
        .iter()
        .position(|n| n.eq_ignore_ascii_case(&d.at.name))
    else {
        return Err(EngineError::InvalidParameter {
            reason: format!("Disk '{disk}' is not attached to VM '{vm}'."),
        });
    };
    machine.data_disks.remove(position);
    lab.disks.get_mut(&d.at.key()).expect("found").managed_by = None;
    Ok(format!("disk {disk} detached from {vm}"))
}

/// Moves the clock and logs, in time order, the background work that
/// finished on the way.
fn advance_clock(lab: &mut Lab, by: Span) {
    let (from, to) = (lab.now(), lab.now() + by);
    let mut finished: Vec<(crate::clock::Instant, &'static str, String, String)> = Vec::new();
    for s in lab.snapshots() {
        if let (Some(p), None) = (s.background, &s.copy_error) {
            if p.done_at() > from && p.done_at() <= to {
                let what = if s.origin.create_option == "CopyStart" {
                    "copy to region completed"
                } else {
                    "background copy completed"
                };
                finished.push((
                    p.done_at(),
                    what,
                    s.id(),
                    format!("{} is at completionPercent 100", s.at.name),
                ));
            }
        }
    }
    for d in lab.disks() {
        if let Some(p) = d.hydration {
            if p.done_at() > from && p.done_at() <= to {
                finished.push((
                    p.done_at(),
                    "disk hydration completed",
                    d.id(),
                    format!("{} can now be attached (C5)", d.at.name),
                ));
            }
        }
    }
    finished.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
    for (time, what, resource, detail) in finished {
        lab.platform_event(time, what, resource, detail);
    }
    lab.clock = to;
}

/// Bytes as a hex string in the operation log (readable, and JSON-safe).
mod hex_bytes {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() % 2 != 0 {
            return Err(serde::de::Error::custom(
                "hex bytes need an even number of digits",
            ));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(serde::de::Error::custom))
            .collect::<Result<Vec<u8>, _>>()
            .map(Bytes::from)
    }
}
