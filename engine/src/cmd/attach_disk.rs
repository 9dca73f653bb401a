//! `az vm disk attach`: not while a background copy runs (C5) or a SAS is active.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachDisk {
    pub group: String,
    pub vm: String,
    pub disk: String,
}

impl Operation for AttachDisk {
    fn kind(&self) -> Kind {
        Kind::AttachDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}/{}", self.group, self.vm, self.disk)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let AttachDisk { group, vm, disk } = self;
        lab.require_vm(group, vm)?;
        let d = lab.find_disk(group, disk)?;
        if let Some(other) = &d.managed_by {
            return Err(EngineError::DiskAttached {
                operation: "attach",
                disk: disk.clone(),
                vm: other.clone(),
            });
        }
        if d.sas_active {
            return Err(EngineError::DiskHasActiveSas {
                operation: "attach",
                disk: disk.clone(),
            });
        }
        rules::upload_over(d, "attach")?;
        rules::c5_attachable(d, lab.now())?;
        let (disk_name, disk_location) = (d.at.name.clone(), d.at.location.clone());
        let machine = lab.vm_mut(group, vm)?;
        if machine.at.location != disk_location {
            return Err(EngineError::InvalidParameter {
                reason: format!("Disk '{disk}' is in {disk_location} and VM '{vm}' in {}: a disk attaches only to a VM in its region.", machine.at.location),
            });
        }
        machine.data_disks.push(disk_name);
        let vm_name = machine.at.name.clone();
        lab.disk_mut(group, disk)?.managed_by = Some(vm_name);
        Ok(format!("disk {disk} attached to {vm}"))
    }
}
