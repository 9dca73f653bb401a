//! Microsoft.Resources bodies (resource groups, template deployments) and
//! the status of a long-running operation, as ARM's pollers read it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Resource;
use crate::clock::Instant;
use crate::model::{CopyError, Progress, ResourceGroup};
use crate::naming::group_id;

pub type ResourceGroupResource = Resource<ResourceGroupProperties>;
pub type DeploymentResource = Resource<DeploymentProperties>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupProperties {
    pub provisioning_state: String,
}

/// `ResourceReference` in a deployment's `outputResources`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputResource {
    pub id: String,
}

/// `DeploymentPropertiesExtended` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentProperties {
    pub mode: String,
    pub output_resources: Vec<OutputResource>,
    /// The template's `outputs`, each `{type, value}`; absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Map<String, Value>>,
    pub provisioning_state: String,
    pub timestamp: String,
}

/// `error` of a failed operation: ARM's `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationError {
    pub code: String,
    pub message: String,
}

/// ARM common-types `OperationStatusResult`: what `Azure-AsyncOperation`
/// answers while a long-running operation runs and once it has ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationStatus {
    pub name: String,
    /// `InProgress`, `Succeeded` or `Failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<f64>,
    pub start_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<OperationError>,
}

/// `GET /subscriptions/{id}/resourcegroups/{name}`.
pub fn resource_group(group: &ResourceGroup) -> ResourceGroupResource {
    Resource {
        id: group_id(&group.subscription, &group.name),
        name: group.name.clone(),
        kind: "Microsoft.Resources/resourceGroups".to_string(),
        location: Some(group.location.clone()),
        managed_by: None,
        sku: None,
        zones: None,
        tags: None,
        properties: ResourceGroupProperties {
            provisioning_state: "Succeeded".to_string(),
        },
    }
}

/// `GET …/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}`
/// of a finished deployment (the simulator deploys at once and whole).
pub fn deployment(
    subscription: &str,
    group: &str,
    name: &str,
    output_resource_ids: Vec<String>,
    outputs: Option<Map<String, Value>>,
    timestamp: Instant,
) -> DeploymentResource {
    Resource {
        id: format!(
            "{}/providers/Microsoft.Resources/deployments/{name}",
            group_id(subscription, group)
        ),
        name: name.to_string(),
        kind: "Microsoft.Resources/deployments".to_string(),
        location: None,
        managed_by: None,
        sku: None,
        zones: None,
        tags: None,
        properties: DeploymentProperties {
            mode: "Incremental".to_string(),
            output_resources: output_resource_ids
                .into_iter()
                .map(|id| OutputResource { id })
                .collect(),
            outputs,
            provisioning_state: "Succeeded".to_string(),
            timestamp: timestamp.to_azure_string(),
        },
    }
}

/// The status of an operation named `name` that started at `started`:
/// running while `progress` (the engine's background work: a Premium SSD v2 /
/// Ultra copy, a CopyStart) is not done at `now`, failed if it has an
/// `error`, succeeded otherwise. Without background work an operation ends
/// when it starts, as the engine applies it.
pub fn operation_status(
    name: &str,
    started: Instant,
    progress: Option<Progress>,
    error: Option<&CopyError>,
    now: Instant,
) -> OperationStatus {
    let start_time = started.to_azure_string();
    if let Some(error) = error {
        return OperationStatus {
            name: name.to_string(),
            status: "Failed".to_string(),
            percent_complete: Some(f64::from(error.percent)),
            start_time,
            end_time: None,
            error: Some(OperationError {
                code: error.code.clone(),
                message: error.message.clone(),
            }),
        };
    }
    match progress {
        Some(p) if !p.is_done(now) => OperationStatus {
            name: name.to_string(),
            status: "InProgress".to_string(),
            percent_complete: Some(f64::from(p.percent(now))),
            start_time,
            end_time: None,
            error: None,
        },
        _ => OperationStatus {
            name: name.to_string(),
            status: "Succeeded".to_string(),
            percent_complete: Some(100.0),
            start_time,
            end_time: Some(progress.map_or(started, |p| p.done_at()).to_azure_string()),
            error: None,
        },
    }
}
