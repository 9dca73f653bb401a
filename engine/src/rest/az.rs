//! az's view of a REST body: what `az … show` prints. azure-cli turns the
//! SDK model into a dict (`todict`): a resource whose REST definition marks
//! `properties` as `x-ms-client-flatten` (disks, snapshots, VMs) has them at
//! the top level; every attribute of the SDK model is printed, `null` where
//! the service sent none; then az's global transform adds `resourceGroup` to
//! each object with a resource id (`azure/cli/core/commands/transform.py`,
//! `_add_resource_group`). Keys print sorted (`-o json` sorts them). The
//! console's `--query`, PowerShell's objects and ARM's `reference()` all read
//! this view; nothing else writes a resource's fields.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::to_json;
use crate::clock::Instant;
use crate::model::{Disk, ResourceGroup, Snapshot, Subscription, Vm};
use crate::state::LabState;

/// How az shows one resource type.
pub struct View {
    /// `properties` moved to the top level (the SDK flattens them).
    pub flatten: bool,
    /// Attributes of the SDK model that az prints as `null` when the service
    /// sent none (dotted paths below the top level). Only those today's
    /// console prints; the SDK model has more (docs/fidelity.md).
    pub nulls: &'static [&'static str],
    /// Keys az's `resourceGroup` transform does not descend into. az itself
    /// skips `sourceVault`; the others are known differences kept as they
    /// are until issue 21 (docs/fidelity.md).
    pub skip: &'static [&'static str],
}

/// azure-cli 2.91.0's disk and snapshot commands are aaz commands: they
/// print the body as the service sent it, flattened, with no `null` for an
/// attribute the service left out (checked against the real az by the
/// generated scripts of tests/realaz; older azure-cli printed the SDK
/// model's every attribute).
pub const DISK: View = View {
    flatten: true,
    nulls: &[],
    skip: &["sourceVault"],
};

pub const SNAPSHOT: View = View {
    flatten: true,
    nulls: &[],
    skip: &["sourceVault"],
};

/// `az group show`: a resource group's `properties` stay nested (the SDK's
/// `ResourceGroupProperties` is a model of its own).
pub const RESOURCE_GROUP: View = View {
    flatten: false,
    nulls: &["managedBy", "tags"],
    skip: &["sourceVault"],
};

/// `az vm show` (with `-d`'s `powerState`, see [`vm_json`]).
pub const VM: View = View {
    flatten: true,
    nulls: &[],
    skip: &["sourceVault", "storageProfile"],
};

/// `az deployment group create/show`.
pub const DEPLOYMENT: View = View {
    flatten: false,
    nulls: &["properties.outputs"],
    skip: &["sourceVault", "outputs"],
};

/// `body` as az prints it under `view`.
pub fn view<T: Serialize>(body: &T, view: &View) -> Value {
    let mut shown = to_json(body);
    if view.flatten {
        if let Value::Object(map) = &mut shown {
            if let Some(Value::Object(properties)) = map.remove("properties") {
                map.extend(properties);
            }
        }
    }
    for path in view.nulls {
        put_null(&mut shown, path);
    }
    add_resource_group(&mut shown, view.skip);
    shown
}

/// Sets `path` to `null` where it is missing (an attribute the service left out).
fn put_null(value: &mut Value, path: &str) {
    let mut at = value;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Value::Object(map) = at else { return };
        if parts.peek().is_none() {
            map.entry(part.to_string()).or_insert(Value::Null);
            return;
        }
        match map.get_mut(part) {
            Some(next) => at = next,
            None => return,
        }
    }
}

/// azure-cli's `_add_resource_group`: an object with a truthy `id` of the
/// form `/subscriptions/S/resourceGroups/G/…/name` (at least nine segments)
/// and no `resourceGroup` key (in any case) gets `resourceGroup: G`; then
/// every member is visited, but those named in `skip`.
pub fn add_resource_group(value: &mut Value, skip: &[&str]) {
    match value {
        Value::Array(items) => {
            for item in items {
                add_resource_group(item, skip);
            }
        }
        Value::Object(map) => {
            let has_group = map.keys().any(|k| k.eq_ignore_ascii_case("resourceGroup"));
            if !has_group {
                if let Some(group) = map.get("id").and_then(Value::as_str).and_then(group_of) {
                    map.insert("resourceGroup".into(), Value::String(group));
                }
            }
            for (key, member) in map.iter_mut() {
                if !skip.contains(&key.as_str()) {
                    add_resource_group(member, skip);
                }
            }
        }
        _ => {}
    }
}

/// `_parse_id(id)['resource-group']`: segment 4 when segment 3 is
/// `resourceGroups` (any case) and a segment 8 exists.
fn group_of(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    if parts.len() > 8 && parts[3].eq_ignore_ascii_case("resourcegroups") {
        Some(parts[4].to_string())
    } else {
        None
    }
}

/// `az disk show`.
pub fn disk_json(disk: &Disk, lab: &LabState) -> Value {
    view(&super::disk(disk, lab), &DISK)
}

/// `az snapshot show`.
pub fn snapshot_json(snapshot: &Snapshot, now: Instant) -> Value {
    view(&super::snapshot(snapshot, now), &SNAPSHOT)
}

/// `az group show`.
pub fn group_json(group: &ResourceGroup) -> Value {
    view(&super::resource_group(group), &RESOURCE_GROUP)
}

/// `az vm show -d`: the VM flattened, with `powerState` taken from the
/// instance view's `PowerState/…` status as azure-cli's `show -d` does, and
/// the instance view itself not printed.
pub fn vm_json(vm: &Vm, lab: &LabState) -> Value {
    let mut shown = view(&super::virtual_machine(vm, lab), &VM);
    if let Value::Object(map) = &mut shown {
        let power = map.remove("instanceView").and_then(|iv| {
            iv["statuses"].as_array().and_then(|statuses| {
                statuses
                    .iter()
                    .find(|s| {
                        s["code"]
                            .as_str()
                            .is_some_and(|c| c.starts_with("PowerState/"))
                    })
                    .map(|s| s["displayStatus"].clone())
            })
        });
        map.insert("powerState".into(), power.unwrap_or(Value::Null));
    }
    shown
}

/// `az disk grant-access` / `az snapshot grant-access`.
pub fn access_json(sas_url: &str) -> Value {
    to_json(&super::access_uri(sas_url))
}

/// `az deployment group create` (see [`super::deployment`]).
pub fn deployment_json(
    subscription: &str,
    group: &str,
    name: &str,
    output_resource_ids: Vec<String>,
    outputs: Option<Map<String, Value>>,
    timestamp: Instant,
) -> Value {
    let body = super::deployment(
        subscription,
        group,
        name,
        output_resource_ids,
        outputs,
        timestamp,
    );
    view(&body, &DEPLOYMENT)
}

/// `az account show`. Not a REST body: az reads this from its local
/// profile (`~/.azure/azureProfile.json`), which the simulator stands in for.
pub fn subscription_json(subscription: &Subscription, is_default: bool) -> Value {
    json!({
        "environmentName": "AzureCloud",
        "id": subscription.id,
        "isDefault": is_default,
        "name": subscription.name,
        "state": "Enabled",
        "tenantId": super::TENANT_ID,
        "user": { "name": "trainer@snaplab.example", "type": "user" },
    })
}
