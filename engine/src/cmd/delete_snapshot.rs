//! `az snapshot delete`: what the next snapshot still needs moves into it (A9).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteSnapshot {
    pub group: String,
    pub name: String,
}

impl Operation for DeleteSnapshot {
    fn kind(&self) -> Kind {
        Kind::DeleteSnapshot
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        lab.require_group(&self.group)?;
        // ARM's DELETE of what is not there succeeds (204): a re-run
        // clean-up script works.
        let key = lab
            .find_snapshot(&self.group, &self.name)
            .map(|s| s.at.key());
        let Some(snapshot) = key.ok().and_then(|key| lab.remove_snapshot(&key)) else {
            return Ok(format!(
                "snapshot {} does not exist: nothing to delete",
                self.name
            ));
        };
        hand_on_changes(lab, &snapshot)?;
        fail_copies_from(lab, &snapshot);
        Ok(format!("snapshot {} deleted", self.name))
    }
}

/// The deleted `snapshot`'s changes still needed move into the next
/// snapshot of its family (A9), or back into the disk's pending changes when
/// it was the newest, so the next snapshot still holds everything since the
/// one before.
fn hand_on_changes(lab: &mut LabState, snapshot: &Snapshot) -> Result<()> {
    let Some(family) = &snapshot.family_id else {
        return Ok(());
    };
    let next = lab
        .family(family)
        .into_iter()
        .find(|s| s.seq > snapshot.seq)
        .map(|s| s.at.key());
    match next {
        Some(next) => lab.snapshot_at_mut(&next)?.absorb(snapshot),
        None => {
            let disk = lab
                .disks()
                .find(|d| d.unique_id == snapshot.origin.source_unique_id)
                .map(|d| d.at.key());
            if let Some(disk) = disk {
                lab.disk_at_mut(&disk)?.changed.union_with(&snapshot.delta);
            }
        }
    }
    Ok(())
}

/// D4: a copy still reading from the deleted `snapshot` fails.
fn fail_copies_from(lab: &mut LabState, snapshot: &Snapshot) {
    let now = lab.now();
    let key = snapshot.at.key();
    let failing: Vec<Key> = lab
        .snapshots()
        .filter(|s| {
            s.origin.source_snapshot.as_ref() == Some(&key)
                && s.origin.create_option == CreateOption::CopyStart
        })
        .filter(|s| s.copy_error.is_none() && s.background.is_some_and(|p| !p.is_done(now)))
        .map(|s| s.at.key())
        .collect();
    for k in failing {
        if let Ok(copy) = lab.snapshot_at_mut(&k) {
            copy.copy_error = Some(CopyError {
                code: "CopySourceNotFound".into(),
                message: format!(
                    "The source snapshot {} was deleted while it was being copied (D4).",
                    snapshot.id()
                ),
                percent: copy.completion_percent(now),
            });
        }
    }
}
