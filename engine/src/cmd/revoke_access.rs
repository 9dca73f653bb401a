//! `az disk|snapshot revoke-access`: ends the SAS; on a disk being
//! uploaded (`ActiveUpload`), it ends the upload too.

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

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (group, name) = (&self.group, &self.name);
        match self.target {
            AccessTarget::Snapshot => {
                let s = lab.snapshot_mut(group, name)?;
                s.sas_active = false;
                s.sas_until = None;
            }
            AccessTarget::Disk => {
                let disk = lab.disk_mut(group, name)?;
                disk.sas_active = false;
                disk.sas_until = None;
                if disk.upload == Some(UploadStage::Active) {
                    disk.upload = None;
                    return Ok(format!(
                        "access to {name} revoked: its upload is over (Unattached)"
                    ));
                }
            }
        }
        Ok(format!("access to {name} revoked"))
    }
}
