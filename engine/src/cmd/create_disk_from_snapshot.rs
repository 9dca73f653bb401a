//! `az disk create --source`: a restore, a new disk from a snapshot.

use super::prelude::*;

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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        restore_disk(lab, self.group, self.name, self.source, self.sku, self.size_gib)
    }
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
    if let Some(existing) = lab.disks.get(&at.key()) {
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
        return match size_gib {
            Some(size) if size != current => {
                super::resize_disk::resize_disk(lab, group, name, size)
            }
            _ => Ok(format!(
                "disk {name} exists with these properties: nothing changed (create-or-update)"
            )),
        };
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
    crate::disk::check_size(sku, size_gib)?;
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
        zone: None,
        performance: None,
    };
    let summary = format!(
        "disk {name} restored from snapshot {} ({} used)",
        snapshot.at.name,
        human_bytes(disk.data.used_bytes())
    );
    lab.disks.insert(disk.at.key(), disk);
    Ok(summary)
}
