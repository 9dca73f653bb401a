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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        move_snapshot(
            lab,
            self.group,
            self.name,
            self.target_group,
            self.target_subscription,
        )
    }
}

fn move_snapshot(
    lab: &mut Lab,
    group: String,
    name: String,
    target_group: String,
    target_subscription: Option<String>,
) -> Result<String> {
    let snapshot = lab.find_snapshot(&group, &name)?.clone();
    let target_sub = match &target_subscription {
        Some(s) => lab
            .subscription(s)
            .ok_or_else(|| EngineError::SubscriptionNotFound {
                subscription: s.clone(),
            })?
            .id
            .clone(),
        None => snapshot.at.subscription.clone(),
    };
    rules::b4_b5_no_move(&snapshot, &target_sub)?;
    let rg = lab
        .group(&target_sub, &target_group)
        .ok_or_else(|| EngineError::ResourceGroupNotFound {
            group: target_group.clone(),
        })?
        .name
        .clone();
    let mut moved = snapshot.clone();
    moved.at.subscription = target_sub;
    moved.at.group = rg;
    if lab.snapshots.contains_key(&moved.at.key()) {
        return Err(EngineError::AlreadyExists {
            kind: "snapshot",
            name,
            group: target_group,
        });
    }
    lab.snapshots.remove(&snapshot.at.key());
    lab.snapshots.insert(moved.at.key(), moved);
    Ok(format!("full snapshot {name} moved to {target_group}"))
}
