//! `az vm create`: a VM to attach disks to (B7, C5).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateVm {
    pub group: String,
    pub name: String,
    pub location: Option<String>,
}

impl Operation for CreateVm {
    fn kind(&self) -> Kind {
        Kind::CreateVm
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        create_vm(lab, self.group, self.name, self.location)
    }
}

fn create_vm(
    lab: &mut Lab,
    group: String,
    name: String,
    location: Option<String>,
) -> Result<String> {
    let at = lab.place(&group, &name, location.as_deref(), "virtual machine")?;
    if lab.vms.contains_key(&at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "virtual machine",
            name,
            group,
        });
    }
    lab.vms.insert(
        at.key(),
        Vm {
            at,
            running: true,
            data_disks: Vec::new(),
        },
    );
    Ok(format!("VM {name} created and running"))
}
