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

    fn apply(self, lab: &mut Lab) -> Result<String> {
        create_group(lab, self.name, self.location)
    }
}

fn create_group(lab: &mut Lab, name: String, location: String) -> Result<String> {
    check_group_name(&name)?;
    let location = region(&location)?.name.to_string();
    let key = (lab.current_subscription.to_lowercase(), name.to_lowercase());
    if lab.groups.contains_key(&key) {
        // `az group create` on an existing group is a no-op update.
        return Ok(format!("resource group {name} already exists"));
    }
    lab.groups.insert(
        key,
        ResourceGroup {
            subscription: lab.current_subscription.clone(),
            name: name.clone(),
            location,
        },
    );
    Ok(format!("resource group {name} created"))
}
