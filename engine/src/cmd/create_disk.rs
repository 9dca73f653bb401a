//! `az disk create --size-gb`: an empty managed disk.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDisk {
    pub group: String,
    pub name: String,
    pub location: Option<String>,
    pub sku: String,
    pub size_gib: u64,
    pub logical_sector_size: u64,
}

impl Operation for CreateDisk {
    fn kind(&self) -> Kind {
        Kind::CreateDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        create_disk(
            lab,
            self.group,
            self.name,
            self.location,
            self.sku,
            self.size_gib,
            self.logical_sector_size,
        )
    }
}

/// Creating a disk that already exists (ARM's PUT is create-or-update): the
/// same request changes nothing and succeeds; a larger size grows it (the
/// rules of a resize apply, B7); what cannot change is refused.
fn update_existing(
    lab: &mut Lab,
    disk: Disk,
    location_given: bool,
    asked: &Placement,
    sku: DiskSku,
    size_gib: u64,
    logical_sector_size: u64,
) -> Result<String> {
    let name = disk.at.name.clone();
    if location_given && !asked.location.eq_ignore_ascii_case(&disk.at.location) {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "location",
            hint: format!("Disk '{name}' is in {}.", disk.at.location),
        });
    }
    if logical_sector_size != disk.data.logical_sector_size() {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "creationData.logicalSectorSize",
            hint: format!(
                "Disk '{name}' has {}-byte sectors.",
                disk.data.logical_sector_size()
            ),
        });
    }
    if sku != disk.sku {
        return Err(EngineError::PropertyChangeNotAllowed {
            property: "sku",
            hint: format!(
                "Disk '{name}' is {}. (Simulated: Azure converts a detached disk's type; the simulator does not.)",
                disk.sku.name()
            ),
        });
    }
    if size_gib != disk.size_gib() {
        return super::resize_disk::resize_disk(lab, disk.at.group.clone(), name, size_gib);
    }
    Ok(format!(
        "disk {name} exists with these properties: nothing changed (create-or-update)"
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
    crate::disk::check_size(sku, size_gib)?;
    let data = DiskData::new(size_gib, logical_sector_size)?;
    rules::c6_disk_sector_size(sku, logical_sector_size)?;
    if let Some(existing) = lab.disks.get(&at.key()) {
        return update_existing(lab, existing.clone(), location.is_some(), &at, sku, size_gib, logical_sector_size);
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
