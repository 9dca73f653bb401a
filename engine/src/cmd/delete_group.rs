//! `az group delete`: the group and everything in it.

use super::delete_snapshot::delete_snapshot;
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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        delete_group(lab, self.name)
    }
}

fn delete_group(lab: &mut Lab, name: String) -> Result<String> {
    let group = lab.require_group(&name)?.clone();
    let inside = |at: &Placement| {
        at.subscription == group.subscription && at.group.eq_ignore_ascii_case(&group.name)
    };
    // Like `az group delete`: everything inside goes, VMs first so disks detach.
    let vms: Vec<Key> = lab
        .vms
        .values()
        .filter(|v| inside(&v.at))
        .map(|v| v.at.key())
        .collect();
    for key in vms {
        let vm = lab.vms.remove(&key).expect("listed above");
        for disk in vm.data_disks {
            if let Some(d) = lab
                .disks
                .get_mut(&Key::new(&vm.at.subscription, &vm.at.group, &disk))
            {
                d.managed_by = None;
            }
        }
    }
    let disks: Vec<Key> = lab
        .disks
        .values()
        .filter(|d| inside(&d.at))
        .map(|d| d.at.key())
        .collect();
    let snapshots: Vec<Key> = lab
        .snapshots
        .values()
        .filter(|s| inside(&s.at))
        .map(|s| s.at.key())
        .collect();
    let count = disks.len() + snapshots.len();
    for key in snapshots {
        delete_snapshot(lab, &key);
    }
    for key in disks {
        lab.disks.remove(&key);
    }
    lab.groups
        .remove(&(group.subscription.to_lowercase(), group.name.to_lowercase()));
    Ok(format!(
        "resource group {name} deleted with {count} disk(s) and snapshot(s)"
    ))
}
