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

impl Operation for ResizeDisk {
    fn kind(&self) -> Kind {
        Kind::ResizeDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        let performance = (self.iops.is_some() || self.mbps.is_some())
            .then_some((self.iops, self.mbps));
        let resized = resize_disk(lab, self.group.clone(), self.name.clone(), self.size_gib)?;
        let Some((iops, mbps)) = performance else {
            return Ok(resized);
        };
        let disk = lab.find_disk(&self.group, &self.name)?.clone();
        let (now_iops, now_mbps) = disk.performance.unwrap_or_default();
        let set = super::create_disk::performance(
            disk.sku,
            Some(iops.unwrap_or(now_iops)),
            Some(mbps.unwrap_or(now_mbps)),
        )?;
        let d = lab.disks.get_mut(&disk.at.key()).expect("found above");
        d.performance = set;
        let (iops, mbps) = set.unwrap_or_default();
        Ok(format!("{resized}; provisioned {iops} IOPS and {mbps} MB/s"))
    }
}

pub(crate) fn resize_disk(lab: &mut Lab, group: String, name: String, size_gib: u64) -> Result<String> {
    let disk = lab.find_disk(&group, &name)?.clone();
    rules::b7_resize(lab, &disk, size_gib)?;
    crate::disk::check_size(disk.sku, size_gib)?;
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
