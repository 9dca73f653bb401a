//! `az resource move`: a full snapshot moves; an incremental one never does (B4, B5).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveSnapshot {
    pub group: String,
    pub name: String,
    pub target_group: String,
    pub target_subscription: Option<String>,
}

impl Operation for MoveSnapshot {
    fn kind(&self) -> Kind {
        Kind::MoveSnapshot
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let (name, target_group) = (&self.name, &self.target_group);
        let snapshot = lab.find_snapshot(&self.group, name)?;
        let target_sub = match &self.target_subscription {
            Some(s) => lab
                .subscription(s)
                .ok_or_else(|| EngineError::SubscriptionNotFound {
                    subscription: s.clone(),
                })?
                .id
                .clone(),
            None => snapshot.at.subscription.clone(),
        };
        rules::b4_b5_no_move(snapshot, &target_sub)?;
        let rg = lab
            .group(&target_sub, target_group)
            .ok_or_else(|| EngineError::ResourceGroupNotFound {
                group: target_group.clone(),
            })?
            .name
            .clone();
        let mut moved = snapshot.clone();
        moved.at.subscription = target_sub;
        moved.at.group = rg;
        if lab.snapshot_at(&moved.at.key()).is_some() {
            return Err(EngineError::AlreadyExists {
                kind: "snapshot",
                name: name.clone(),
                group: target_group.clone(),
            });
        }
        lab.remove_snapshot(&snapshot.at.key());
        lab.insert_snapshot(moved);
        Ok(format!("full snapshot {name} moved to {target_group}"))
    }
}
