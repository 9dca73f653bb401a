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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        detach_disk(lab, self.group, self.vm, self.disk)
    }
}

fn detach_disk(lab: &mut Lab, group: String, vm: String, disk: String) -> Result<String> {
    let vm_key = lab.require_vm(&group, &vm)?;
    let d = lab.find_disk(&group, &disk)?.clone();
    let machine = lab.vms.get_mut(&vm_key).expect("found");
    let Some(position) = machine
        .data_disks
        .iter()
        .position(|n| n.eq_ignore_ascii_case(&d.at.name))
    else {
        return Err(EngineError::InvalidParameter {
            reason: format!("Disk '{disk}' is not attached to VM '{vm}'."),
        });
    };
    machine.data_disks.remove(position);
    lab.disks.get_mut(&d.at.key()).expect("found").managed_by = None;
    Ok(format!("disk {disk} detached from {vm}"))
}
