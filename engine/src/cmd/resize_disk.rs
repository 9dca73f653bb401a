//! `az disk update --size-gb`: disks only grow (B7); crossing 4 TiB ends diffs (B6).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResizeDisk {
    pub group: String,
    pub name: String,
    pub size_gib: u64,
}

impl Operation for ResizeDisk {
    fn kind(&self) -> Kind {
        Kind::ResizeDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        resize_disk(lab, self.group, self.name, self.size_gib)
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
