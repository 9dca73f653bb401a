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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        lab.require_group(&self.group)?;
        // ARM's DELETE of what is not there succeeds (204): a re-run
        // clean-up script works.
        let Ok(snapshot) = lab.find_snapshot(&self.group, &self.name) else {
            return Ok(format!(
                "snapshot {} does not exist: nothing to delete",
                self.name
            ));
        };
        let key = snapshot.at.key();
        delete_snapshot(lab, &key);
        Ok(format!("snapshot {} deleted", self.name))
    }
}

/// Deletes a snapshot. Its changes still needed move into the next snapshot
/// of its family (A9), or back into the disk's pending changes when it was
/// the newest, so the next snapshot still holds everything since the one before.
pub(crate) fn delete_snapshot(lab: &mut Lab, key: &Key) {
    let now = lab.now();
    let Some(snapshot) = lab.snapshots.remove(key) else {
        return;
    };
    if let Some(family) = &snapshot.family_id {
        let next = lab
            .family(family)
            .into_iter()
            .find(|s| s.seq > snapshot.seq)
            .map(|s| s.at.key());
        match next {
            Some(next) => lab
                .snapshots
                .get_mut(&next)
                .expect("member")
                .absorb(&snapshot),
            None => {
                if let Some(disk) = lab
                    .disks
                    .values()
                    .find(|d| d.unique_id == snapshot.origin.source_unique_id)
                    .map(|d| d.at.key())
                {
                    lab.disks
                        .get_mut(&disk)
                        .expect("found")
                        .changed
                        .union_with(&snapshot.delta);
                }
            }
        }
    }
    // D4: a copy still reading from this snapshot fails.
    let failing: Vec<Key> = lab
        .snapshots()
        .filter(|s| {
            s.origin.source_snapshot.as_ref() == Some(key) && s.origin.create_option == "CopyStart"
        })
        .filter(|s| s.copy_error.is_none() && s.background.is_some_and(|p| !p.is_done(now)))
        .map(|s| s.at.key())
        .collect();
    for k in failing {
        let copy = lab.snapshots.get_mut(&k).expect("listed");
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
