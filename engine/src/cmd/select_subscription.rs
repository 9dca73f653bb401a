//! `az account set --subscription`: the subscription later commands act in.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectSubscription {
    pub subscription: String,
}

impl Operation for SelectSubscription {
    fn kind(&self) -> Kind {
        Kind::SelectSubscription
    }

    fn resource(&self) -> String {
        self.subscription.clone()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let id = lab
            .subscription(&self.subscription)
            .ok_or_else(|| EngineError::SubscriptionNotFound {
                subscription: self.subscription.clone(),
            })?
            .id
            .clone();
        lab.select_subscription(id.clone());
        Ok(format!("current subscription is {id}"))
    }
}
