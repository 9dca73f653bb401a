//! Feature access for Premium SSD v2 / Ultra snapshots on the current subscription (C1).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetFeatureAccess {
    pub enabled: bool,
}

impl Operation for SetFeatureAccess {
    fn kind(&self) -> Kind {
        if self.enabled {
            Kind::EnableFeature
        } else {
            Kind::DisableFeature
        }
    }

    fn resource(&self) -> String {
        String::new()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        lab.current_subscription_mut().v2_ultra_snapshots = self.enabled;
        Ok(format!(
            "Premium SSD v2 / Ultra snapshot access {} (C1)",
            if self.enabled { "granted" } else { "removed" }
        ))
    }
}
