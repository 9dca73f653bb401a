//! `az disk create --source`: a restore, a new disk from a snapshot; or,
//! with a disk as the source, a copy of that managed disk.

use super::prelude::*;
use super::{ConvertDisk, ResizeDisk};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDiskFromSnapshot {
    pub group: String,
    pub name: String,
    pub source: String,
    pub sku: Option<String>,
    pub size_gib: Option<u64>,
}

impl Operation for CreateDiskFromSnapshot {
    fn kind(&self) -> Kind {
        Kind::RestoreDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        let now = lab.now();
        if let Some(source) = self.source_disk(lab)? {
            return self.copy_disk(lab, source);
        }
        let snapshot = lab.resolve_snapshot(group, &self.source)?.clone();
        let at = lab.place(group, name, Some(&snapshot.at.location), "disk")?;
        if let Some(existing) = lab.disk_at(&at.key()) {
            // Create-or-update: the same restore again changes nothing.
            let same_source = matches!(&existing.origin,
                DiskOrigin::FromSnapshot { snapshot_unique_id, .. } if *snapshot_unique_id == snapshot.unique_id);
            if !same_source {
                return Err(EngineError::PropertyChangeNotAllowed {
                    property: "creationData.sourceResourceId",
                    hint: format!(
                        "Disk '{name}' exists and was not made from snapshot {}; choose another name.",
                        snapshot.at.name
                    ),
                });
            }
            let current = existing.size_gib();
            // A new sku converts the disk's type (rules::convert_disk_type),
            // checked before the size changes so a refusal changes nothing.
            if let Some(sku) = &self.sku {
                let sku = DiskSku::parse(sku)?;
                if sku != existing.sku {
                    rules::convert_disk_type(lab, existing, sku)?;
                    let size = self.size_gib.unwrap_or(current);
                    crate::disk::check_size(sku, size.max(current))?;
                    let resized = if size != current {
                        Some(ResizeDisk::to(group, name, size).apply(lab)?)
                    } else {
                        None
                    };
                    let converted = ConvertDisk {
                        group: group.clone(),
                        name: name.clone(),
                        sku: sku.name().to_string(),
                    }
                    .apply(lab)?;
                    return Ok(match resized {
                        Some(resized) => format!("{converted}; {resized}"),
                        None => converted,
                    });
                }
            }
            return match self.size_gib {
                Some(size) if size != current => ResizeDisk::to(group, name, size).apply(lab),
                _ => Ok(format!(
                    "disk {name} exists with these properties: nothing changed (create-or-update)"
                )),
            };
        }
        rules::c2_ready(&snapshot, now, "create a disk")?;
        let sku = match &self.sku {
            Some(s) => DiskSku::parse(s)?,
            None => snapshot.source_sku,
        };
        rules::c6_sector_size(&snapshot, sku)?;
        rules::c4_disks_from_snapshot(lab, &snapshot)?;
        let size_gib = self
            .size_gib
            .unwrap_or(snapshot.disk_size_bytes / crate::units::GIB);
        crate::disk::check_size(sku, size_gib)?;
        rules::b7_restore_size(&snapshot, size_gib)?;
        // A snapshot of an uploaded disk is its VHD's size, footer and all:
        // the disk restored from it keeps every byte, unless asked bigger.
        let data = DiskData::with_size_bytes(
            (size_gib * crate::units::GIB).max(snapshot.disk_size_bytes),
            snapshot.logical_sector_size,
            snapshot.content.clone(),
        )?;
        let hydration = snapshot.source_sku.is_v2_or_ultra().then(|| Progress {
            started: now,
            duration: copy_duration(data.used_bytes(), BACKGROUND_COPY_BYTES_PER_SECOND),
        });
        let unique_id = lab.next_unique_id();
        let mut disk = Disk::restored(at, sku, unique_id, now, data, &snapshot, hydration);
        // A Premium SSD v2 or Ultra disk always has provisioned IOPS and
        // MB/s: a restored one starts at the defaults, as a new one does.
        disk.performance = rules::c9_performance(sku, None, None)?;
        let summary = format!(
            "disk {name} restored from snapshot {} ({} used)",
            snapshot.at.name,
            human_bytes(disk.data.used_bytes())
        );
        lab.insert_disk(disk);
        Ok(summary)
    }
}

impl CreateDiskFromSnapshot {
    /// The source when it is a managed disk: a disk's ARM id, or a name no
    /// snapshot of the group has and a disk has (azure-cli looks a bare
    /// `--source` name up as a snapshot, then as a disk).
    fn source_disk(&self, lab: &LabState) -> Result<Option<Disk>> {
        match crate::state::parse_arm_id(&self.source) {
            Some(parts) if parts.kind.eq_ignore_ascii_case("disks") => lab
                .disk(&parts.subscription, &parts.group, &parts.name)
                .cloned()
                .map(Some)
                .ok_or(EngineError::ResourceNotFound {
                    kind: "disks",
                    name: parts.name.clone(),
                    group: parts.group.clone(),
                }),
            Some(_) => Ok(None),
            None if lab.find_snapshot(&self.group, &self.source).is_err() => {
                Ok(lab.find_disk(&self.group, &self.source).ok().cloned())
            }
            None => Ok(None),
        }
    }

    /// A copy of a managed disk (`createOption: Copy` with the disk as
    /// `sourceResourceId`): in the source's region, its data and sector
    /// size, at least its size, its type unless `sku` says otherwise. A disk
    /// being uploaded cannot be copied; Premium SSD v2 and Ultra disks
    /// (as source or copy) are copied through a snapshot, not directly.
    fn copy_disk(&self, lab: &mut LabState, source: Disk) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        let at = lab.place(group, name, Some(&source.at.location), "disk")?;
        if let Some(existing) = lab.disk_at(&at.key()) {
            let same_source = matches!(&existing.origin,
                DiskOrigin::FromSnapshot { snapshot_unique_id, .. } if *snapshot_unique_id == source.unique_id);
            if !same_source {
                return Err(EngineError::PropertyChangeNotAllowed {
                    property: "creationData.sourceResourceId",
                    hint: format!(
                        "Disk '{name}' exists and was not copied from disk {}; choose another name.",
                        source.at.name
                    ),
                });
            }
            return Ok(format!(
                "disk {name} exists with these properties: nothing changed (create-or-update)"
            ));
        }
        rules::upload_over(&source, "copy")?;
        let sku = match &self.sku {
            Some(s) => DiskSku::parse(s)?,
            None => source.sku,
        };
        if sku.is_v2_or_ultra() || source.sku.is_v2_or_ultra() {
            return Err(EngineError::InvalidParameter {
                reason: format!(
                    "(simulated) A Premium SSD v2 or Ultra disk is not copied directly here ({} to {}): take a snapshot of disk '{}' and create the new disk from it.",
                    source.sku.name(),
                    sku.name(),
                    source.at.name
                ),
            });
        }
        let size_gib = self.size_gib.unwrap_or(source.size_gib());
        crate::disk::check_size(sku, size_gib)?;
        if size_gib < source.size_gib() {
            return Err(EngineError::ShrinkNotAllowed {
                current_gib: source.size_gib(),
                requested_gib: size_gib,
            });
        }
        let pages = source.data.page_map().clone();
        let data = DiskData::with_size_bytes(
            (size_gib * crate::units::GIB).max(source.data.size_bytes()),
            source.data.logical_sector_size(),
            pages.clone(),
        )?;
        let unique_id = lab.next_unique_id();
        let mut disk = Disk::empty(at, sku, unique_id, lab.now(), data);
        // A new disk is a new family: its first incremental snapshot holds
        // all its data (A1, A3).
        disk.origin = DiskOrigin::FromSnapshot {
            snapshot_id: source.id(),
            snapshot_unique_id: source.unique_id.clone(),
        };
        disk.changed = crate::range_set::RangeSet::from_ranges(pages.written_ranges());
        let summary = format!(
            "disk {name} copied from disk {} ({} used)",
            source.at.name,
            human_bytes(disk.data.used_bytes())
        );
        lab.insert_disk(disk);
        Ok(summary)
    }
}
