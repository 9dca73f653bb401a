//! `az disk update --size-gb`: disks only grow (B7); crossing 4 TiB ends diffs (B6).
//! With `--disk-iops-read-write` / `--disk-mbps-read-write` it also changes a
//! Premium SSD v2 or Ultra disk's provisioned performance (same ranges as at
//! creation).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResizeDisk {
    pub group: String,
    pub name: String,
    pub size_gib: u64,
    /// New provisioned IOPS (Premium SSD v2 and Ultra only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<u64>,
    /// New provisioned throughput in MB/s (Premium SSD v2 and Ultra only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbps: Option<u64>,
}

impl ResizeDisk {
    /// `az disk update --size-gb`, performance left as it is.
    pub fn to(group: &str, name: &str, size_gib: u64) -> ResizeDisk {
        ResizeDisk {
            group: group.into(),
            name: name.into(),
            size_gib,
            iops: None,
            mbps: None,
        }
    }
}

impl Operation for ResizeDisk {
    fn kind(&self) -> Kind {
        Kind::ResizeDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let resized = self.grow(lab)?;
        if self.iops.is_none() && self.mbps.is_none() {
            return Ok(resized);
        }
        let disk = lab.find_disk(&self.group, &self.name)?;
        let (now_iops, now_mbps) = disk.performance.unwrap_or_default();
        let set = rules::c9_performance(
            disk.sku,
            Some(self.iops.unwrap_or(now_iops)),
            Some(self.mbps.unwrap_or(now_mbps)),
        )?;
        lab.disk_mut(&self.group, &self.name)?.performance = set;
        let (iops, mbps) = set.unwrap_or_default();
        Ok(format!("{resized}; provisioned {iops} IOPS and {mbps} MB/s"))
    }
}

impl ResizeDisk {
    /// The size part: only growing (B7), and noting a crossing of the
    /// 4 TiB boundary (B6).
    fn grow(&self, lab: &mut LabState) -> Result<String> {
        let disk = lab.find_disk(&self.group, &self.name)?;
        rules::upload_over(disk, "resize")?;
        rules::b7_resize(lab, disk, self.size_gib)?;
        crate::disk::check_size(disk.sku, self.size_gib)?;
        let old_gib = disk.size_gib();
        let crossed = rules::b6_crosses_boundary(old_gib, self.size_gib);
        let d = lab.disk_mut(&self.group, &self.name)?;
        d.data.grow(self.size_gib)?;
        if crossed {
            d.size_epoch += 1;
        }
        Ok(format!(
            "disk {} resized from {old_gib} GiB to {} GiB{}",
            self.name,
            self.size_gib,
            if crossed {
                " across the 4 TiB boundary: snapshots from before cannot be diffed with later ones (B6)"
            } else {
                ""
            }
        ))
    }
}
