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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        attach_disk(lab, self.group, self.vm, self.disk)
    }
}

fn attach_disk(lab: &mut Lab, group: String, vm: String, disk: String) -> Result<String> {
    let vm_key = lab.require_vm(&group, &vm)?;
    let d = lab.find_disk(&group, &disk)?.clone();
    if let Some(other) = &d.managed_by {
        return Err(EngineError::DiskAttached {
            operation: "attach",
            disk,
            vm: other.clone(),
        });
    }
    if d.sas_active {
        return Err(EngineError::DiskHasActiveSas {
            operation: "attach",
            disk,
        });
    }
    rules::c5_attachable(&d, lab.now())?;
    let machine = &lab.vms[&vm_key];
    if machine.at.location != d.at.location {
        return Err(EngineError::InvalidParameter {
            reason: format!("Disk '{disk}' is in {} and VM '{vm}' in {}: a disk attaches only to a VM in its region.", d.at.location, machine.at.location),
        });
    }
    let vm_name = machine.at.name.clone();
    lab.vms
        .get_mut(&vm_key)
        .expect("found")
        .data_disks
        .push(d.at.name.clone());
    lab.disks.get_mut(&d.at.key()).expect("found").managed_by = Some(vm_name);
    Ok(format!("disk {disk} attached to {vm}"))
}
