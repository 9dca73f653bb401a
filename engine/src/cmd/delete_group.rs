//! `az group delete`: the group and everything in it.

use super::DeleteSnapshot;
use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteGroup {
    pub name: String,
}

impl Operation for DeleteGroup {
    fn kind(&self) -> Kind {
        Kind::DeleteGroup
    }

    fn resource(&self) -> String {
        self.name.clone()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let name = &self.name;
        let group = lab.require_group(name)?.clone();
        let inside = |at: &Placement| {
            at.subscription == group.subscription && at.group.eq_ignore_ascii_case(&group.name)
        };
        // Like `az group delete`: everything inside goes, VMs first so disks detach.
        let vms: Vec<Key> = lab.vms().filter(|v| inside(&v.at)).map(|v| v.at.key()).collect();
        for key in vms {
            let Some(vm) = lab.remove_vm(&key) else {
                continue;
            };
            for disk in vm.data_disks {
                let key = Key::new(&vm.at.subscription, &vm.at.group, &disk);
                if let Ok(d) = lab.disk_at_mut(&key) {
                    d.managed_by = None;
                }
            }
        }
        let disks: Vec<Key> = lab
            .disks()
            .filter(|d| inside(&d.at))
            .map(|d| d.at.key())
            .collect();
        let snapshots: Vec<String> = lab
            .snapshots()
            .filter(|s| inside(&s.at))
            .map(|s| s.at.name.clone())
            .collect();
        let count = disks.len() + snapshots.len();
        for snapshot in snapshots {
            // Each as `az snapshot delete` would: what a later snapshot still
            // needs moves into it (A9), a copy reading it fails (D4).
            DeleteSnapshot {
                group: group.name.clone(),
                name: snapshot,
            }
            .apply(lab)?;
        }
        for key in disks {
            lab.remove_disk(&key);
        }
        lab.remove_group(&group.subscription, &group.name);
        Ok(format!(
            "resource group {name} deleted with {count} disk(s) and snapshot(s)"
        ))
    }
}
