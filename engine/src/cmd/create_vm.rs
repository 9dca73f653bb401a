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

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        let at = lab.place(group, name, self.location.as_deref(), "virtual machine")?;
        if lab.vm_at(&at.key()).is_some() {
            return Err(EngineError::AlreadyExists {
                kind: "virtual machine",
                name: name.clone(),
                group: group.clone(),
            });
        }
        lab.insert_vm(Vm {
            at,
            running: true,
            data_disks: Vec::new(),
        });
        Ok(format!("VM {name} created and running"))
    }
}
