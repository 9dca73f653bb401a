//! `az snapshot update --sku`: change where a snapshot is stored (A5: possible, not recommended).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSnapshotSku {
    pub group: String,
    pub name: String,
    pub sku: String,
}

impl Operation for UpdateSnapshotSku {
    fn kind(&self) -> Kind {
        Kind::UpdateSnapshotSku
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let sku = SnapshotSku::parse(&self.sku)?;
        lab.snapshot_mut(&self.group, &self.name)?.sku = sku;
        Ok(format!("snapshot {} now stored as {}", self.name, sku.name()))
    }
}
