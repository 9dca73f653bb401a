//! `az disk|snapshot grant-access`: a read SAS (at most 5 per snapshot family, B3).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantAccess {
    pub target: AccessTarget,
    pub group: String,
    pub name: String,
    pub duration_seconds: u64,
}

impl Operation for GrantAccess {
    fn kind(&self) -> Kind {
        match self.target {
            AccessTarget::Disk => Kind::GrantDiskAccess,
            AccessTarget::Snapshot => Kind::GrantSnapshotAccess,
        }
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(self, lab: &mut Lab) -> Result<String> {
        grant_access(lab, self.target, self.group, self.name, self.duration_seconds)
    }
}

/// A SAS URL that looks like Azure's; the signature is marked simulated.
fn sas_url(unique_id: &str, seconds: u64) -> String {
    format!("https://md-{}.blob.core.windows.net/{}/abcd?sv=2018-03-28&sr=b&se={seconds}s&sp=r&sig=SIMULATED", &unique_id[..8], unique_id.replace('-', ""))
}

fn grant_access(
    lab: &mut Lab,
    target: AccessTarget,
    group: String,
    name: String,
    duration_seconds: u64,
) -> Result<String> {
    if duration_seconds == 0 {
        return Err(EngineError::InvalidParameter {
            reason: "--duration-in-seconds must be more than 0.".into(),
        });
    }
    let now = lab.now();
    match target {
        AccessTarget::Snapshot => {
            let snapshot = lab.find_snapshot(&group, &name)?.clone();
            rules::c2_ready(&snapshot, now, "give a SAS")?;
            if snapshot.sas_active {
                return Ok(sas_url(&snapshot.unique_id, duration_seconds));
            }
            if let Some(family) = &snapshot.family_id {
                rules::b3_sas_per_family(lab, family)?;
            }
            lab.snapshots
                .get_mut(&snapshot.at.key())
                .expect("found")
                .sas_active = true;
            Ok(sas_url(&snapshot.unique_id, duration_seconds))
        }
        AccessTarget::Disk => {
            let disk = lab.find_disk(&group, &name)?.clone();
            if let Some(vm) = &disk.managed_by {
                return Err(EngineError::DiskAttached {
                    operation: "grant-access",
                    disk: name,
                    vm: vm.clone(),
                });
            }
            lab.disks.get_mut(&disk.at.key()).expect("found").sas_active = true;
            Ok(sas_url(&disk.unique_id, duration_seconds))
        }
    }
}
