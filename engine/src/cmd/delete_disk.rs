//! `az disk delete`: the disk goes, its snapshots stay (A2).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteDisk {
    pub group: String,
    pub name: String,
}

impl Operation for DeleteDisk {
    fn kind(&self) -> Kind {
        Kind::DeleteDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        lab.require_group(group)?;
        // ARM's DELETE of what is not there succeeds (204).
        let Ok(disk) = lab.find_disk(group, name) else {
            return Ok(format!("disk {name} does not exist: nothing to delete"));
        };
        if let Some(vm) = &disk.managed_by {
            return Err(EngineError::DiskAttached {
                operation: "delete",
                disk: name.clone(),
                vm: vm.clone(),
            });
        }
        if disk.sas_active {
            return Err(EngineError::DiskHasActiveSas {
                operation: "delete",
                disk: name.clone(),
            });
        }
        if disk.upload == Some(crate::model::UploadStage::Active) {
            rules::upload_over(disk, "delete")?;
        }
        let key = disk.at.key();
        lab.remove_disk(&key);
        // Its snapshots stay: they are resources of their own (A2).
        Ok(format!("disk {name} deleted; its snapshots remain"))
    }
}
