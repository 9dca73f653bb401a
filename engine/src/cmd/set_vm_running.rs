//! `az vm start` (running) and `az vm deallocate` (not running).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVmRunning {
    pub group: String,
    pub name: String,
    pub running: bool,
}

impl Operation for SetVmRunning {
    fn kind(&self) -> Kind {
        if self.running {
            Kind::StartVm
        } else {
            Kind::DeallocateVm
        }
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        lab.vm_mut(&self.group, &self.name)?.running = self.running;
        Ok(format!(
            "VM {} {}",
            self.name,
            if self.running { "running" } else { "deallocated" }
        ))
    }
}
