//! `az disk update --sku` (`Update-AzDisk` with `-SkuName`): convert a
//! disk's type, under [`rules::convert_disk_type`].

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvertDisk {
    pub group: String,
    pub name: String,
    pub sku: String,
}

impl Operation for ConvertDisk {
    fn kind(&self) -> Kind {
        Kind::ConvertDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let to = DiskSku::parse(&self.sku)?;
        let disk = lab.find_disk(&self.group, &self.name)?;
        let from = disk.sku;
        if to == from {
            return Ok(format!("disk {} is {} already", self.name, to.name()));
        }
        rules::convert_disk_type(lab, disk, to)?;
        lab.disk_mut(&self.group, &self.name)?.sku = to;
        Ok(format!(
            "disk {} converted from {} to {}",
            self.name,
            from.name(),
            to.name()
        ))
    }
}
