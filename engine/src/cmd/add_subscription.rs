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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        add_subscription(lab, self.name)
    }
}

fn add_subscription(lab: &mut Lab, name: String) -> Result<String> {
    if name.trim().is_empty() {
        return Err(EngineError::InvalidParameter {
            reason: "A subscription needs a name.".into(),
        });
    }
    if lab.subscription(&name).is_some() {
        return Err(EngineError::AlreadyExists {
            kind: "subscription",
            name,
            group: "-".into(),
        });
    }
    let id = uuid_from(lab.subscriptions.len() as u64 + 1, 0x5B5);
    lab.subscriptions.insert(
        id.clone(),
        Subscription {
            id: id.clone(),
            name,
            v2_ultra_snapshots: false,
        },
    );
    Ok(format!("subscription {id} added"))
}
