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
