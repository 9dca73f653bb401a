//! A second subscription, to show that incremental snapshots stay in theirs (B4).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddSubscription {
    pub name: String,
}

impl Operation for AddSubscription {
    fn kind(&self) -> Kind {
        Kind::AddSubscription
    }

    fn resource(&self) -> String {
        self.name.clone()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let name = &self.name;
        if name.trim().is_empty() {
            return Err(EngineError::InvalidParameter {
                reason: "A subscription needs a name.".into(),
            });
        }
        if lab.subscription(name).is_some() {
            return Err(EngineError::AlreadyExists {
                kind: "subscription",
                name: name.clone(),
                group: "-".into(),
            });
        }
        let id = uuid_from(lab.subscriptions().count() as u64 + 1, 0x5B5);
        lab.add_subscription(Subscription {
            id: id.clone(),
            name: name.clone(),
            v2_ultra_snapshots: false,
        });
        Ok(format!("subscription {id} added"))
    }
}
