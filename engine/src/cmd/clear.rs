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

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let Clear {
            group,
            disk,
            offset,
            length,
        } = self;
        rules::upload_writable(lab.find_disk(group, disk)?)?;
        let d = lab.disk_mut(group, disk)?;
        let range = d.data.check_range(*offset, *length)?;
        d.data.clear(*offset, *length)?;
        d.changed.insert(range);
        Ok(format!(
            "cleared {} at byte {offset} of {disk} (TRIM)",
            human_bytes(*length)
        ))
    }
}
