//! `az group create`: a resource group in a region.

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroup {
    pub name: String,
    pub location: String,
}

impl Operation for CreateGroup {
    fn kind(&self) -> Kind {
        Kind::CreateGroup
    }

    fn resource(&self) -> String {
        self.name.clone()
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let name = &self.name;
        check_group_name(name)?;
        let location = region(&self.location)?.name.to_string();
        let subscription = lab.current_subscription().id.clone();
        if lab.group(&subscription, name).is_some() {
            // `az group create` on an existing group is a no-op update.
            return Ok(format!("resource group {name} already exists"));
        }
        lab.insert_group(ResourceGroup {
            subscription,
            name: name.clone(),
            location,
        });
        Ok(format!("resource group {name} created"))
    }
}
