//! The one REST resource model: every resource of the lab as the body Azure
//! Resource Manager returns for it, at a stated api-version. Everything that
//! shows a resource on the wire reads this: az's output is this body
//! flattened as az flattens it ([`az`]), PowerShell's `PSDisk`/`PSSnapshot`
//! are built from az's view, ARM's `reference()` reads it, and the local
//! Azure endpoint of issue 22 will serve it as it is.
//!
//! | resource | body | REST definitions followed |
//! |---|---|---|
//! | managed disk | [`disk`] → [`DiskResource`] | DiskRP [`DISK_API_VERSION`] `disk.json` `Disk`, `diskRPCommon.json` `CreationData` |
//! | snapshot | [`snapshot`] → [`SnapshotResource`] | DiskRP [`DISK_API_VERSION`] `snapshot.json` `Snapshot` |
//! | grant access | [`access_uri`] → [`AccessUri`] | DiskRP [`DISK_API_VERSION`] `diskRPCommon.json` `AccessUri` |
//! | virtual machine | [`virtual_machine`] → [`VmResource`] | ComputeRP [`COMPUTE_API_VERSION`] `virtualMachine.json` (the part modelled) |
//! | resource group | [`resource_group`] → [`ResourceGroupResource`] | Microsoft.Resources [`RESOURCES_API_VERSION`] `ResourceGroup` |
//! | deployment | [`deployment`] → [`DeploymentResource`] | Microsoft.Resources [`RESOURCES_API_VERSION`] `DeploymentExtended` |
//! | long-running operation | [`operation_status`] → [`OperationStatus`] | ARM common-types `OperationStatusResult` |
//! | error | [`error_response`], [`engine_error`] → [`ErrorResponse`] (status: [`http_status`]) | ARM common-types `ErrorResponse` |
//! | list | [`list`] → [`ListBody`] | ARM's `{"value": [...]}` page |
//! | subscription | [`subscription`] → [`SubscriptionResource`] | Microsoft.Resources `Subscription` |
//! | Blob service error | [`storage_error_xml`] | Storage's `<Error><Code/><Message/></Error>` |
//!
//! The bodies carry what the simulator models and nothing else: a property is
//! present when the service would send it (an `Option` that is `None` is
//! left out of the JSON, as the service leaves it out). Where today's bodies
//! still differ from what the service returns, `docs/fidelity.md` ("Known
//! differences", the REST model rows) lists it.

pub mod az;
mod compute;
mod envelope;
mod resources;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use compute::{
    access_uri, disk, snapshot, virtual_machine, AccessUri, CopyCompletionError, CreationData,
    DataDisk, DiskProperties, DiskResource, Encryption, InstanceViewStatus, ManagedDiskRef,
    SnapshotProperties, SnapshotResource, StorageProfile, VmInstanceView, VmProperties, VmResource,
};
pub use envelope::{
    engine_error, error_response, http_status, list, storage_error_xml, subscription, ErrorDetail,
    ErrorResponse, ListBody, SubscriptionResource, TENANT_ID,
};
pub use resources::{
    deployment, operation_status, resource_group, DeploymentProperties, DeploymentResource,
    OperationError, OperationStatus, OutputResource, ResourceGroupProperties,
    ResourceGroupResource,
};

/// Microsoft.Compute DiskRP, the newest stable version of
/// azure-rest-api-specs (`specification/compute/resource-manager/Microsoft.Compute/DiskRP/stable/2025-01-02`).
pub const DISK_API_VERSION: &str = "2025-01-02";
/// Microsoft.Compute ComputeRP (virtual machines).
pub const COMPUTE_API_VERSION: &str = "2024-11-01";
/// Microsoft.Resources (resource groups, deployments).
pub const RESOURCES_API_VERSION: &str = "2024-11-01";

/// ARM's resource envelope: `{id, name, type, location, managedBy, sku,
/// zones, tags, properties}`. Which of the optional members a resource type
/// has is decided by its render function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<P> {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    pub properties: P,
}

/// `DiskSku` / `SnapshotSku`: `{name, tier}` (tier is read-only, sent by the service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl Sku {
    fn of(name: &str, tier: &str) -> Option<Sku> {
        Some(Sku {
            name: name.to_string(),
            tier: Some(tier.to_string()),
        })
    }
}

/// Every body as JSON: the form a server sends and az reads.
pub fn to_json<T: Serialize>(body: &T) -> serde_json::Value {
    // The bodies are plain structs of strings, numbers and maps with string
    // keys: serialising them cannot fail.
    serde_json::to_value(body).expect("a REST body serialises")
}

#[cfg(test)]
mod tests;
