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

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        if self.duration_seconds == 0 {
            return Err(EngineError::InvalidParameter {
                reason: "--duration-in-seconds must be more than 0.".into(),
            });
        }
        let now = lab.now();
        match self.target {
            AccessTarget::Snapshot => {
                let snapshot = lab.find_snapshot(group, name)?;
                rules::c2_ready(snapshot, now, "give a SAS")?;
                let url = sas_url(&snapshot.unique_id, self.duration_seconds);
                if snapshot.sas_active {
                    return Ok(url);
                }
                if let Some(family) = &snapshot.family_id {
                    rules::b3_sas_per_family(lab, family)?;
                }
                lab.snapshot_mut(group, name)?.sas_active = true;
                Ok(url)
            }
            AccessTarget::Disk => {
                let disk = lab.find_disk(group, name)?;
                if let Some(vm) = &disk.managed_by {
                    return Err(EngineError::DiskAttached {
                        operation: "grant-access",
                        disk: name.clone(),
                        vm: vm.clone(),
                    });
                }
                let url = sas_url(&disk.unique_id, self.duration_seconds);
                lab.disk_mut(group, name)?.sas_active = true;
                Ok(url)
            }
        }
    }
}

/// A SAS URL that looks like Azure's; the signature is marked simulated.
fn sas_url(unique_id: &str, seconds: u64) -> String {
    format!("https://md-{}.blob.core.windows.net/{}/abcd?sv=2018-03-28&sr=b&se={seconds}s&sp=r&sig=SIMULATED", &unique_id[..8], unique_id.replace('-', ""))
}
