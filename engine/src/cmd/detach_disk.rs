//! `az vm disk detach`.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetachDisk {
    pub group: String,
    pub vm: String,
    pub disk: String,
}

impl Operation for DetachDisk {
    fn kind(&self) -> Kind {
        Kind::DetachDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}/{}", self.group, self.vm, self.disk)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let DetachDisk { group, vm, disk } = self;
        lab.require_vm(group, vm)?;
        let disk_name = lab.find_disk(group, disk)?.at.name.clone();
        let machine = lab.vm_mut(group, vm)?;
        let Some(position) = machine
            .data_disks
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&disk_name))
        else {
            return Err(EngineError::InvalidParameter {
                reason: format!("Disk '{disk}' is not attached to VM '{vm}'."),
            });
        };
        machine.data_disks.remove(position);
        lab.disk_mut(group, disk)?.managed_by = None;
        Ok(format!("disk {disk} detached from {vm}"))
    }
}
