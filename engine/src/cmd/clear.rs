//! `sim trim`: TRIM / unmap a range (A10); a later diff reports it as ClearRange.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clear {
    pub group: String,
    pub disk: String,
    pub offset: u64,
    pub length: u64,
}

impl Operation for Clear {
    fn kind(&self) -> Kind {
        Kind::Clear
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.disk)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        clear(lab, self.group, self.disk, self.offset, self.length)
    }
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
