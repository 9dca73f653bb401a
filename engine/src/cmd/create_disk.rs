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
    /// The availability zone ("1", "2" or "3"): a zonal disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Provisioned IOPS and MB/s: Premium SSD v2 and Ultra Disks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbps: Option<u64>,
}

impl Operation for CreateDisk {
    fn kind(&self) -> Kind {
        Kind::CreateDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        create_disk(lab, self)
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

fn create_disk(lab: &mut Lab, c: CreateDisk) -> Result<String> {
    let CreateDisk {
        group,
        name,
        location,
        sku,
        size_gib,
        logical_sector_size,
        zone,
        iops,
        mbps,
    } = c;
    create_disk_parts(lab, group, name, location, sku, size_gib, logical_sector_size, zone, iops, mbps)
}

/// An availability zone as Azure names them.
fn check_zone(zone: &str) -> Result<String> {
    match zone.trim() {
        z @ ("1" | "2" | "3") => Ok(z.to_string()),
        other => Err(EngineError::InvalidParameter {
            reason: format!("The availability zone '{other}' is not valid: use 1, 2 or 3."),
        }),
    }
}

/// Provisioned IOPS and throughput: only Premium SSD v2 and Ultra Disks
/// take them (with defaults when not given); the simulator checks the
/// absolute ranges of the Premium SSD v2 and Ultra Disk docs.
pub(super) fn performance(
    sku: DiskSku,
    iops: Option<u64>,
    mbps: Option<u64>,
) -> Result<Option<(u64, u64)>> {
    let (default, iops_range, mbps_range) = match sku {
        DiskSku::PremiumV2Lrs => ((3_000, 125), 3_000..=80_000, 125..=1_200),
        DiskSku::UltraSsdLrs => ((3_000, 125), 100..=400_000, 1..=10_000),
        _ if iops.is_none() && mbps.is_none() => return Ok(None),
        _ => {
            return Err(EngineError::InvalidParameter {
                reason: format!(
                    "Disk IOPS and throughput can be set only for PremiumV2_LRS and UltraSSD_LRS disks, not {}.",
                    sku.name()
                ),
            })
        }
    };
    let (iops, mbps) = (iops.unwrap_or(default.0), mbps.unwrap_or(default.1));
    if !iops_range.contains(&iops) {
        return Err(EngineError::InvalidParameter {
            reason: format!(
                "diskIOPSReadWrite {iops} is out of range for {}: {} to {}.",
                sku.name(),
                iops_range.start(),
                iops_range.end()
            ),
        });
    }
    if !mbps_range.contains(&mbps) {
        return Err(EngineError::InvalidParameter {
            reason: format!(
                "diskMBpsReadWrite {mbps} is out of range for {}: {} to {}.",
                sku.name(),
                mbps_range.start(),
                mbps_range.end()
            ),
        });
    }
    Ok(Some((iops, mbps)))
}

#[allow(clippy::too_many_arguments)]
fn create_disk_parts(
    lab: &mut Lab,
    group: String,
    name: String,
    location: Option<String>,
    sku: String,
    size_gib: u64,
    logical_sector_size: u64,
    zone: Option<String>,
    iops: Option<u64>,
    mbps: Option<u64>,
) -> Result<String> {
    let at = lab.place(&group, &name, location.as_deref(), "disk")?;
    let sku = DiskSku::parse(&sku)?;
    crate::disk::check_size(sku, size_gib)?;
    let data = DiskData::new(size_gib, logical_sector_size)?;
    rules::c6_disk_sector_size(sku, logical_sector_size)?;
    let zone = zone.map(|z| check_zone(&z)).transpose()?;
    let performance = performance(sku, iops, mbps)?;
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
        zone,
        performance,
    };
    let summary = format!("disk {name} created: {} GiB {}", size_gib, sku.name());
    lab.disks.insert(disk.at.key(), disk);
    Ok(summary)
}
