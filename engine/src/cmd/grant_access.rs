//! `az disk|snapshot grant-access`: a read SAS (at most 5 per snapshot
//! family, B3), or a write SAS on a disk made for upload (`ActiveUpload`).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantAccess {
    pub target: AccessTarget,
    pub group: String,
    pub name: String,
    pub duration_seconds: u64,
    /// `--access-level`: Read (the default), or Write to upload a disk.
    #[serde(default, skip_serializing_if = "Access::is_read")]
    pub access: Access,
}

/// What a SAS lets its holder do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    #[default]
    Read,
    Write,
}

impl Access {
    fn is_read(&self) -> bool {
        *self == Access::Read
    }

    /// As Azure spells it, case-insensitively (`read`, `Write`).
    pub fn parse(text: &str) -> Result<Access> {
        match text.to_ascii_lowercase().as_str() {
            "read" => Ok(Access::Read),
            "write" => Ok(Access::Write),
            _ => Err(EngineError::InvalidParameter {
                reason: format!("The access level '{text}' is not valid: use Read or Write."),
            }),
        }
    }
}

impl GrantAccess {
    /// A read SAS on `target` `group/name` for `duration_seconds`.
    pub fn read(target: AccessTarget, group: &str, name: &str, duration_seconds: u64) -> GrantAccess {
        GrantAccess {
            target,
            group: group.into(),
            name: name.into(),
            duration_seconds,
            access: Access::Read,
        }
    }
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
                if self.access == Access::Write {
                    return Err(EngineError::WriteAccessNotAllowed {
                        name: name.clone(),
                        what: "a snapshot".into(),
                    });
                }
                rules::c2_ready(snapshot, now, "give a SAS")?;
                let until = expiry(now, self.duration_seconds);
                let url = sas_url(&snapshot.unique_id, until, "r");
                if !snapshot.sas_active {
                    if let Some(family) = &snapshot.family_id {
                        rules::b3_sas_per_family(lab, family)?;
                    }
                }
                let s = lab.snapshot_mut(group, name)?;
                s.sas_active = true;
                s.sas_until = Some(until);
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
                let until = expiry(now, self.duration_seconds);
                if self.access == Access::Write {
                    rules::write_access(disk)?;
                    let url = sas_url(&disk.unique_id, until, "rw");
                    let d = lab.disk_mut(group, name)?;
                    d.upload = Some(UploadStage::Active);
                    d.sas_until = Some(until);
                    return Ok(url);
                }
                rules::upload_over(disk, "grant-access")?;
                let url = sas_url(&disk.unique_id, until, "r");
                let d = lab.disk_mut(group, name)?;
                d.sas_active = true;
                d.sas_until = Some(until);
                Ok(url)
            }
        }
    }
}

/// When a SAS granted at `now` for `seconds` runs out: at the latest when
/// the simulated clock ends (a huge duration cannot overflow it).
fn expiry(now: crate::clock::Instant, seconds: u64) -> crate::clock::Instant {
    let end = crate::clock::CLOCK_END;
    match seconds.checked_mul(1000) {
        Some(ms) if ms < (end - now).as_millis() => now + Span::millis(ms),
        _ => end,
    }
}

/// A SAS URL that looks like Azure's: permissions `sp` (`r`, or `rw` for an
/// upload), expiry `se` (lab time, URL-encoded as Azure's are); the
/// signature is marked simulated.
fn sas_url(unique_id: &str, until: crate::clock::Instant, sp: &str) -> String {
    let se = until.to_azure_string()[..19].replace(':', "%3A");
    format!("https://md-{}.blob.core.windows.net/{}/abcd?sv=2018-03-28&sr=b&se={se}Z&sp={sp}&sig=SIMULATED", &unique_id[..8], unique_id.replace('-', ""))
}
