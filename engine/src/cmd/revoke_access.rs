//! `az disk|snapshot revoke-access`: ends the SAS.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeAccess {
    pub target: AccessTarget,
    pub group: String,
    pub name: String,
}

impl Operation for RevokeAccess {
    fn kind(&self) -> Kind {
        match self.target {
            AccessTarget::Disk => Kind::RevokeDiskAccess,
            AccessTarget::Snapshot => Kind::RevokeSnapshotAccess,
        }
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        revoke_access(lab, self.target, self.group, self.name)
    }
}

fn revoke_access(
    lab: &mut Lab,
    target: AccessTarget,
    group: String,
    name: String,
) -> Result<String> {
    match target {
        AccessTarget::Snapshot => {
            let key = lab.find_snapshot(&group, &name)?.at.key();
            lab.snapshots.get_mut(&key).expect("found").sas_active = false;
        }
        AccessTarget::Disk => {
            let key = lab.find_disk(&group, &name)?.at.key();
            lab.disks.get_mut(&key).expect("found").sas_active = false;
        }
    }
    Ok(format!("access to {name} revoked"))
}
