//! Microsoft.Compute bodies: disks and snapshots (DiskRP), the grant-access
//! result, and the part of a virtual machine the simulator models.
//! Property names are the REST definitions' (camelCase, `diskSizeGB`,
//! `diskIOPSReadWrite`), so a typo here would be a field no client knows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Resource, Sku};
use crate::clock::Instant;
use crate::model::{Disk, DiskOrigin, Snapshot, Vm};
use crate::state::LabState;
use crate::units::GIB;

pub type DiskResource = Resource<DiskProperties>;
pub type SnapshotResource = Resource<SnapshotProperties>;
pub type VmResource = Resource<VmProperties>;

/// `CreationData`: how the disk or snapshot was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationData {
    pub create_option: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_unique_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_sector_size: Option<u64>,
    /// `createOption: Upload`: the VHD's size, footer included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_size_bytes: Option<u64>,
}

/// `Encryption`: the simulator has no disk encryption sets, so every disk and
/// snapshot is encrypted at rest with platform keys, as Azure does by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    #[serde(rename = "type")]
    pub kind: String,
}

impl Encryption {
    fn platform_key() -> Encryption {
        Encryption {
            kind: "EncryptionAtRestWithPlatformKey".to_string(),
        }
    }
}

/// `DiskProperties` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskProperties {
    pub time_created: String,
    pub creation_data: CreationData,
    #[serde(rename = "diskSizeGB")]
    pub disk_size_gb: u64,
    pub disk_size_bytes: u64,
    pub unique_id: String,
    pub provisioning_state: String,
    /// A Premium SSD's performance tier (`P10`, …), from its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Provisioned performance: set on Premium SSD v2 and Ultra disks, a
    /// Premium SSD's from its tier.
    #[serde(
        rename = "diskIOPSReadWrite",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disk_iops_read_write: Option<u64>,
    #[serde(
        rename = "diskMBpsReadWrite",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disk_mbps_read_write: Option<u64>,
    pub disk_state: String,
    pub encryption: Encryption,
    pub network_access_policy: String,
    pub public_network_access: String,
    /// A disk restored from a Premium SSD v2 / Ultra snapshot while it hydrates (C5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<f64>,
}

/// `CopyCompletionError`: why a CopyStart copy failed (D4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyCompletionError {
    pub error_code: String,
    pub error_message: String,
}

/// `SnapshotProperties` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotProperties {
    pub time_created: String,
    pub creation_data: CreationData,
    #[serde(rename = "diskSizeGB")]
    pub disk_size_gb: u64,
    pub disk_size_bytes: u64,
    pub disk_state: String,
    pub unique_id: String,
    pub provisioning_state: String,
    pub incremental: bool,
    /// Incremental snapshots only (A4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental_snapshot_family_id: Option<String>,
    pub encryption: Encryption,
    pub network_access_policy: String,
    pub public_network_access: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_completion_error: Option<CopyCompletionError>,
}

/// `AccessUri`: the result of `beginGetAccess` on a disk or snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessUri {
    #[serde(rename = "accessSAS")]
    pub access_sas: String,
}

/// `ManagedDiskParameters` of a VM's data disk (its `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedDiskRef {
    /// `None` (JSON `null`) only if the attached disk is no longer in the lab.
    pub id: Option<String>,
}

/// `DataDisk` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataDisk {
    pub lun: usize,
    pub name: String,
    pub managed_disk: ManagedDiskRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageProfile {
    pub data_disks: Vec<DataDisk>,
}

/// `InstanceViewStatus`, e.g. `{code: "PowerState/running", displayStatus: "VM running"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceViewStatus {
    pub code: String,
    pub level: String,
    pub display_status: String,
}

/// `VirtualMachineInstanceView`, as `GET …?$expand=instanceView` sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmInstanceView {
    pub statuses: Vec<InstanceViewStatus>,
}

/// `VirtualMachineProperties` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmProperties {
    pub storage_profile: StorageProfile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_view: Option<VmInstanceView>,
}

/// `GET …/providers/Microsoft.Compute/disks/{name}`.
pub fn disk(disk: &Disk, lab: &LabState) -> DiskResource {
    let (create_option, source_resource_id, source_unique_id) = match &disk.origin {
        DiskOrigin::Empty | DiskOrigin::Upload { .. } => {
            (disk.origin.create_option().as_str(), None, None)
        }
        DiskOrigin::FromSnapshot {
            snapshot_id,
            snapshot_unique_id,
        } => (
            "Copy",
            Some(snapshot_id.clone()),
            Some(snapshot_unique_id.clone()),
        ),
    };
    let managed_by = disk
        .managed_by
        .as_ref()
        .and_then(|vm| lab.vm(&disk.at.subscription, &disk.at.group, vm))
        .map(|vm| vm.id());
    let premium = disk.sku.premium_tier(disk.size_gib());
    let performance = disk
        .performance
        .or(premium.map(|(_, iops, mbps)| (iops, mbps)));
    Resource {
        id: disk.id(),
        name: disk.at.name.clone(),
        kind: "Microsoft.Compute/disks".to_string(),
        location: Some(disk.at.location.clone()),
        managed_by,
        sku: Sku::of(disk.sku.name(), disk.sku.tier()),
        // Only a zonal disk has a zone.
        zones: disk.zone.as_ref().map(|zone| vec![zone.clone()]),
        tags: Some(BTreeMap::new()),
        properties: DiskProperties {
            time_created: disk.time_created.to_azure_string(),
            creation_data: CreationData {
                create_option: create_option.to_string(),
                source_resource_id,
                source_unique_id,
                logical_sector_size: Some(disk.data.logical_sector_size()),
                upload_size_bytes: match disk.origin {
                    DiskOrigin::Upload { upload_size_bytes } => Some(upload_size_bytes),
                    _ => None,
                },
            },
            disk_size_gb: disk.size_gib(),
            disk_size_bytes: disk.data.size_bytes(),
            unique_id: disk.unique_id.clone(),
            provisioning_state: "Succeeded".to_string(),
            tier: premium.map(|(tier, _, _)| tier.to_string()),
            disk_iops_read_write: performance.map(|(iops, _)| iops),
            disk_mbps_read_write: performance.map(|(_, mbps)| mbps),
            disk_state: disk.disk_state().to_string(),
            encryption: Encryption::platform_key(),
            network_access_policy: "AllowAll".to_string(),
            public_network_access: "Enabled".to_string(),
            completion_percent: disk.hydration.map(|p| f64::from(p.percent(lab.now()))),
        },
    }
}

/// `GET …/providers/Microsoft.Compute/snapshots/{name}`.
pub fn snapshot(snapshot: &Snapshot, now: Instant) -> SnapshotResource {
    Resource {
        id: snapshot.id(),
        name: snapshot.at.name.clone(),
        kind: "Microsoft.Compute/snapshots".to_string(),
        location: Some(snapshot.at.location.clone()),
        managed_by: None,
        sku: Sku::of(snapshot.sku.name(), snapshot.sku.tier()),
        zones: None,
        tags: Some(BTreeMap::new()),
        properties: SnapshotProperties {
            time_created: snapshot.time_created.to_azure_string(),
            creation_data: CreationData {
                create_option: snapshot.origin.create_option.to_string(),
                source_resource_id: Some(snapshot.origin.source_resource_id.clone()),
                source_unique_id: Some(snapshot.origin.source_unique_id.clone()),
                logical_sector_size: Some(snapshot.logical_sector_size),
                upload_size_bytes: None,
            },
            disk_size_gb: snapshot.disk_size_bytes / GIB,
            disk_size_bytes: snapshot.disk_size_bytes,
            disk_state: if snapshot.sas_active {
                "ActiveSAS"
            } else {
                "Unattached"
            }
            .to_string(),
            unique_id: snapshot.unique_id.clone(),
            provisioning_state: "Succeeded".to_string(),
            incremental: snapshot.incremental,
            incremental_snapshot_family_id: snapshot.family_id.clone(),
            encryption: Encryption::platform_key(),
            network_access_policy: "AllowAll".to_string(),
            public_network_access: "Enabled".to_string(),
            // Known difference (docs/fidelity.md): sent on every snapshot,
            // 100.0 once usable; the seed walkthrough's status check reads it.
            completion_percent: Some(f64::from(snapshot.completion_percent(now))),
            copy_completion_error: snapshot.copy_error.as_ref().map(|e| CopyCompletionError {
                error_code: e.code.clone(),
                error_message: e.message.clone(),
            }),
        },
    }
}

/// The final result of `POST …/beginGetAccess`.
pub fn access_uri(sas_url: &str) -> AccessUri {
    AccessUri {
        access_sas: sas_url.to_string(),
    }
}

/// `GET …/providers/Microsoft.Compute/virtualMachines/{name}?$expand=instanceView`.
pub fn virtual_machine(vm: &Vm, lab: &LabState) -> VmResource {
    let data_disks = vm
        .data_disks
        .iter()
        .enumerate()
        .map(|(lun, name)| DataDisk {
            lun,
            name: name.clone(),
            managed_disk: ManagedDiskRef {
                id: lab
                    .disk(&vm.at.subscription, &vm.at.group, name)
                    .map(|d| d.id()),
            },
        })
        .collect();
    let (code, display) = if vm.running {
        ("PowerState/running", "VM running")
    } else {
        ("PowerState/deallocated", "VM deallocated")
    };
    Resource {
        id: vm.id(),
        name: vm.at.name.clone(),
        kind: "Microsoft.Compute/virtualMachines".to_string(),
        location: Some(vm.at.location.clone()),
        managed_by: None,
        sku: None,
        zones: None,
        tags: None,
        properties: VmProperties {
            storage_profile: StorageProfile { data_disks },
            instance_view: Some(VmInstanceView {
                statuses: vec![InstanceViewStatus {
                    code: code.to_string(),
                    level: "Info".to_string(),
                    display_status: display.to_string(),
                }],
            }),
        },
    }
}
