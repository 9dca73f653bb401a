//! The rules of incremental snapshots: one table ([`RULES`]: id, summary,
//! source) that errors, `explain`, the violations panel and `docs/rules.md`
//! read, and one function per refusal.
//!
//! Each function checks one rule of `shared/reference/azure-incremental-snapshots.md`
//! and returns the refusal the user sees. The operations in `cmd/` call them
//! before changing anything, so a refused operation leaves the lab as it was.
//!
//! Looking for "the 7-per-5-minutes rule"? It is [`b1_snapshot_rate`].

use crate::catalog::{DiskSku, Region, REGIONS};
use crate::clock::{Instant, Span};
use crate::error::{EngineError, Result};
use crate::model::{CreateOption, Disk, Snapshot};
use crate::state::LabState;
use crate::units::GIB;

/// A rule of the reference sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// "B1": section letter and number, as the reference sheet has them.
    pub id: &'static str,
    /// The rule in one line, for people.
    pub summary: &'static str,
    /// Where it comes from.
    pub source: &'static str,
}

const fn r(id: &'static str, summary: &'static str, source: &'static str) -> Rule {
    Rule {
        id,
        summary,
        source,
    }
}

/// Every rule the engine models, once.
pub const RULES: &[Rule] = &[
    r("A1", "The first incremental snapshot holds all used data; later ones hold only what changed. Any snapshot restores the whole disk.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("A2", "Snapshots of standard disk types are usable as soon as they are taken; a snapshot outlives its disk.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("A3", "A disk's snapshots form a family (same source id and source unique id); a re-created disk starts a new family.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("A4", "Diffs only between snapshots of one family (incrementalSnapshotFamilyId).", "Compute REST spec, DiskRP 2024-03-02 snapshot.json"),
    r("A5", "Incremental snapshots are stored on Standard HDD, ZRS where the region has it; the SKU can be changed, not recommended.", "Azure docs; Compute REST spec"),
    r("A6", "Billed on used size; the daily usage is used GiB / 31 (10 GiB is 0.3226 a day).", "Azure docs; Azure blog, general availability of incremental snapshots"),
    r("A7", "No changes: a 0 MiB snapshot (6 MiB for a disk with 4096-byte sectors).", "Azure docs: Create an incremental snapshot for managed disks"),
    r("A8", "Any write is a change, identical bytes or not.", "Azure Blob docs: snapshots overview"),
    r("A9", "Deleting a snapshot in the middle moves what later ones need into the next one.", "Azure disks FAQ; AWS EBS docs on deleting snapshots"),
    r("A10", "A disk is written in 512-byte pages; TRIM clears pages, shown as ClearRange.", "Azure disks FAQ; Blob REST spec"),
    r("A11", "Pages never written or cleared read as zeros and are not listed.", "Azure Storage blog on page ranges"),
    r("B1", "At most 7 incremental snapshots per disk every 5 minutes.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("B2", "At most 500 incremental snapshots per disk at one time.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("B3", "SAS on at most 5 snapshots of one family at a time.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("B4", "Not movable between subscriptions, nor creatable outside the disk's.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("B5", "Not movable to another resource group; copy instead.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("B6", "No diff across a resize over the 4 TiB boundary.", "Azure docs; Azure disks FAQ"),
    r("B7", "Disks only grow, and not while attached to a running VM.", "Compute REST spec; Azure disks FAQ"),
    r("B8", "Where Azure documents no code, the Blob service's codes are reused and the code is labelled simulated.", "Blob REST spec"),
    r("C1", "Premium SSD v2 / Ultra snapshots need feature access.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C2", "Premium SSD v2 / Ultra snapshots are unusable until their background copy completes.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C3", "At most 3 snapshots pending while a background copy runs.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C4", "At most 5 disks created at once from one such snapshot.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C5", "A disk from such a snapshot attaches only once copied.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C6", "4096-byte logical sectors only for Ultra / Premium SSD v2 disks, and their snapshots create only those.", "Azure docs: Create an incremental snapshot for managed disks"),
    r("C7", "Premium SSD v2 / Ultra snapshots only in some regions.", "Azure docs: Create an incremental snapshot for managed disks (2023)"),
    r("C8", "Premium SSD v2 / Ultra disks take incremental snapshots only, never full ones.", "Azure docs: Deploy a Premium SSD v2 managed disk (limitations); Ultra Disks (limitations)"),
    r("C9", "Provisioned IOPS and MB/s are set only on Premium SSD v2 / Ultra disks, within each type's range.", "Azure docs: Premium SSD v2 and Ultra Disk performance"),
    r("D1", "--copy-start copies an incremental snapshot to another region; complete when completionPercent is 100.", "Azure docs: Copy an incremental snapshot to a new region"),
    r("D2", "A copy transfers only the changes since the last copy in that region.", "Azure docs: Copy an incremental snapshot to a new region"),
    r("D3", "One copy per disk at a time, in creation order, at most 100 in parallel per region.", "Azure docs: Copy an incremental snapshot to a new region; disks FAQ"),
    r("D4", "Deleting the source during a copy fails it with CopySourceNotFound.", "Azure disks FAQ; Compute REST spec"),
    r("D5", "A copy bills cross-region bandwidth and source reads only.", "Azure docs: Copy an incremental snapshot to a new region"),
    r("D6", "Without CopyStart: copy the first snapshot whole, then each diff's ranges.", "Azure-Samples: managed-disks-dotnet-backup-with-incremental-snapshots"),
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Which rule stands behind each refusal. It lives here, beside the table,
/// rather than in `error.rs`: errors are a leaf the whole engine uses, and
/// the rules read the lab, so the mapping belongs to the higher module.
impl EngineError {
    /// The id of the reference-sheet rule behind the refusal, if one is.
    /// Every variant is listed (no catch-all arm), so a new refusal must
    /// say whether a rule is behind it; the id is looked up in the one
    /// table of rules ([`RULES`]).
    pub fn rule(&self) -> Option<&'static str> {
        self.rule_entry().map(|r| r.id)
    }

    /// The rule behind the refusal, from the table of rules.
    pub fn rule_entry(&self) -> Option<&'static Rule> {
        use EngineError::*;
        let id = match self {
            MisalignedRange { .. } => "A10",
            RangePastEnd { .. } => return None,
            InvalidDiskSize { .. } | UnknownSku { .. } | UnknownLocation { .. } => return None,
            InvalidName { .. } | InvalidParameter { .. } => return None,
            SubscriptionNotFound { .. } | ResourceGroupNotFound { .. } => return None,
            ResourceNotFound { .. } | AlreadyExists { .. } | ResourceGroupNotEmpty { .. } => {
                return None
            }
            PropertyChangeNotAllowed { .. } | InvalidLabFile { .. } | InvalidTemplate { .. } => {
                return None
            }
            SnapshotRateExceeded { .. } => "B1",
            SnapshotCountExceeded { .. } => "B2",
            SasLimitExceeded { .. } => "B3",
            CrossSubscription { .. } => "B4",
            MoveNotSupported { rule, .. } => rule,
            DiffAcrossSizeBoundary { .. } => "B6",
            ShrinkNotAllowed { .. } | ResizeWhileAttached { .. } => "B7",
            DiskAttached { .. } | DiskHasActiveSas { .. } => return None,
            DiskTypeChangeNotAllowed { .. } => return None,
            UploadNotOver { .. } | WriteAccessNotAllowed { .. } => return None,
            DifferentFamily { .. } => "A4",
            PreviousSnapshotCannotBeNewer { .. } | PreviousSnapshotNotFound { .. } => return None,
            InvalidMarker { .. } => return None,
            FeatureNotRegistered { .. } => "C1",
            SnapshotNotReady { .. } => "C2",
            TooManyPendingSnapshots { .. } => "C3",
            TooManyDisksFromSnapshot { .. } => "C4",
            DiskNotHydrated { .. } => "C5",
            SectorSizeIncompatible { .. }
            | InvalidSectorSize { .. }
            | DiskSectorSizeNotSupported { .. } => "C6",
            RegionNotSupported { .. } => "C7",
            CopyStartNotIncremental
            | CopyStartSameRegion { .. }
            | SnapshotOutsideDiskRegion { .. }
            | CopyNeedsCopyStart { .. }
            | CopyStartFromDisk => "D1",
            FullSnapshotNotSupported { .. } => "C8",
            PerformanceNotSupported { .. } | PerformanceOutOfRange { .. } => "C9",
            CopyAlreadyRunning { .. } | CopyOutOfOrder { .. } | TooManyParallelCopies { .. } => {
                "D3"
            }
            DisabledInLesson { .. } => return None,
            StorageFailed { .. } | StorageCorrupt { .. } => return None,
        };
        Some(rule(id).unwrap_or_else(|| panic!("rule {id} is not in rules::RULES")))
    }
}

/// B1: at most this many incremental snapshots per disk…
pub const B1_MAX_PER_WINDOW: usize = 7;
/// …in any window of this length.
pub const B1_WINDOW: Span = Span::minutes(5);
/// B2: at most this many incremental snapshots of a disk at one time (the 2020 text said 200).
pub const B2_MAX_SNAPSHOTS: usize = 500;
/// B3: at most this many snapshots of one family with an active SAS.
pub const B3_MAX_SAS_PER_FAMILY: usize = 5;
/// B6: resizing across this size (4,096 GiB, an inference: the FAQ's page-blob
/// limit is 4,095 GiB) ends diffs between snapshots from before and after.
pub const B6_BOUNDARY_GIB: u64 = 4096;
/// C3: at most this many snapshots of a disk pending while background copies run.
pub const C3_MAX_PENDING: usize = 3;
/// C4: at most this many disks created at the same time from one such snapshot.
pub const C4_MAX_HYDRATING_DISKS: usize = 5;
/// D3: at most this many copies in parallel per subscription per target region.
pub const D3_MAX_PARALLEL_COPIES: usize = 100;

/// The smallest `uploadSizeBytes`: 20 MiB and the VHD's 512-byte footer
/// (Compute REST spec, `CreationData.uploadSizeBytes`).
pub const UPLOAD_MIN_BYTES: u64 = 20 * crate::units::MIB + 512;
/// The largest: 32,767 GiB (the largest disk) and the footer, 35,183,298,347,520
/// bytes as the spec gives it (its text calls it "32 TiB + 512 bytes").
pub const UPLOAD_MAX_BYTES: u64 = crate::units::MAX_DISK_SIZE_GIB * crate::units::GIB + 512;

/// A disk made for upload is `upload_size_bytes` long: within the spec's
/// range, and whole 512-byte pages (a page blob's size; a fixed VHD is
/// whole MiB and a 512-byte footer).
pub fn upload_size(upload_size_bytes: u64) -> Result<()> {
    use crate::units::group_thousands;
    if !(UPLOAD_MIN_BYTES..=UPLOAD_MAX_BYTES).contains(&upload_size_bytes) {
        return Err(EngineError::InvalidParameter {
            reason: format!(
                "uploadSizeBytes {} is out of range: it is the size of the VHD including its 512-byte footer, from {} (20 MiB + 512) to {} (32,767 GiB + 512).",
                group_thousands(upload_size_bytes),
                group_thousands(UPLOAD_MIN_BYTES),
                group_thousands(UPLOAD_MAX_BYTES)
            ),
        });
    }
    if upload_size_bytes % crate::units::PAGE_SIZE != 0 {
        return Err(EngineError::InvalidParameter {
            reason: format!(
                "uploadSizeBytes {} is not a multiple of 512: a disk is written in 512-byte pages, and a fixed VHD is whole MiB plus its 512-byte footer.",
                group_thousands(upload_size_bytes)
            ),
        });
    }
    Ok(())
}

/// A disk made for upload cannot be snapshotted, attached, resized or
/// read until its upload is over (its write SAS revoked).
pub fn upload_over(disk: &Disk, operation: &'static str) -> Result<()> {
    let hint = match disk.upload {
        None => return Ok(()),
        Some(crate::model::UploadStage::Ready) => "Grant Write access, upload the VHD through the SAS, then revoke access to finish the upload.",
        Some(crate::model::UploadStage::Active) => "Finish writing through the write SAS, then revoke access to end the upload.",
    };
    Err(EngineError::UploadNotOver {
        operation,
        disk: disk.at.name.clone(),
        state: disk.disk_state(),
        hint,
    })
}

/// Write access is for a disk made for upload whose upload is not over.
pub fn write_access(disk: &Disk) -> Result<()> {
    if disk.upload.is_some() {
        return Ok(());
    }
    let what = match disk.origin {
        crate::model::DiskOrigin::Upload { .. } => "a disk whose upload is over".to_string(),
        _ => format!(
            "a disk created with createOption {}",
            disk.origin.create_option()
        ),
    };
    Err(EngineError::WriteAccessNotAllowed {
        name: disk.at.name.clone(),
        what,
    })
}

/// Pages of a disk made for upload are written only while its write SAS
/// is out (`ActiveUpload`).
pub fn upload_writable(disk: &Disk) -> Result<()> {
    match disk.upload {
        Some(crate::model::UploadStage::Ready) => upload_over(disk, "write"),
        _ => Ok(()),
    }
}

/// B1 — "At most 7 incremental snapshots per disk every 5 minutes."
/// `times` are the disk's earlier incremental snapshot creations.
pub fn b1_snapshot_rate(times: &[Instant], now: Instant) -> Result<()> {
    let in_window: Vec<Instant> = times
        .iter()
        .copied()
        .filter(|t| now - *t < B1_WINDOW)
        .collect();
    if in_window.len() < B1_MAX_PER_WINDOW {
        return Ok(());
    }
    let oldest = *in_window.iter().min().expect("window is not empty");
    Err(EngineError::SnapshotRateExceeded {
        nth: in_window.len() + 1,
        at: now.hms(),
        next_allowed: (oldest + B1_WINDOW).hms(),
    })
}

/// B2 — "At most 500 incremental snapshots per disk at any one time."
pub fn b2_snapshot_count(disk: &Disk, existing: usize) -> Result<()> {
    if existing >= B2_MAX_SNAPSHOTS {
        return Err(EngineError::SnapshotCountExceeded {
            disk: disk.at.name.clone(),
            count: existing,
        });
    }
    Ok(())
}

/// B3 — "SAS URIs on at most 5 snapshots of one family at the same time."
pub fn b3_sas_per_family(lab: &LabState, family_id: &str) -> Result<()> {
    let granted: Vec<String> = lab
        .snapshots()
        .filter(|s| s.family_id.as_deref() == Some(family_id) && s.sas_active)
        .map(|s| s.at.name.clone())
        .collect();
    if granted.len() >= B3_MAX_SAS_PER_FAMILY {
        return Err(EngineError::SasLimitExceeded {
            count: granted.len(),
            granted: granted.join(", "),
        });
    }
    Ok(())
}

/// B4 — "Not movable between subscriptions; not creatable outside the disk's subscription."
pub fn b4_same_subscription(disk_subscription: &str, target_subscription: &str) -> Result<()> {
    if !disk_subscription.eq_ignore_ascii_case(target_subscription) {
        return Err(EngineError::CrossSubscription {
            disk_subscription: disk_subscription.to_string(),
            target_subscription: target_subscription.to_string(),
        });
    }
    Ok(())
}

/// B4 and B5 — an incremental snapshot is never moved: not to another
/// subscription (B4), not to another resource group (B5). Copy it instead.
pub fn b4_b5_no_move(snapshot: &Snapshot, target_subscription: &str) -> Result<()> {
    if !snapshot.incremental {
        return Ok(());
    }
    if !snapshot
        .at
        .subscription
        .eq_ignore_ascii_case(target_subscription)
    {
        return Err(EngineError::MoveNotSupported {
            target: "subscription",
            rule: "B4",
        });
    }
    Err(EngineError::MoveNotSupported {
        target: "resource group",
        rule: "B5",
    })
}

/// B6 — does a resize from `old_gib` to `new_gib` cross the 4 TiB boundary?
pub fn b6_crosses_boundary(old_gib: u64, new_gib: u64) -> bool {
    old_gib <= B6_BOUNDARY_GIB && new_gib > B6_BOUNDARY_GIB
}

/// B7 — "A disk can only grow, never shrink, and only while not attached to a running VM."
pub fn b7_resize(lab: &LabState, disk: &Disk, new_gib: u64) -> Result<()> {
    if new_gib < disk.size_gib() {
        return Err(EngineError::ShrinkNotAllowed {
            current_gib: disk.size_gib(),
            requested_gib: new_gib,
        });
    }
    if let Some(vm) = disk
        .managed_by
        .as_ref()
        .and_then(|vm| lab.vm(&disk.at.subscription, &disk.at.group, vm))
    {
        if vm.running {
            return Err(EngineError::ResizeWhileAttached {
                disk: disk.at.name.clone(),
                vm: vm.at.name.clone(),
            });
        }
    }
    Ok(())
}

/// Converting a disk's type (`az disk update --sku`, `Update-AzDisk` with
/// `-SkuName`, a PUT with another `sku`): Azure converts a disk that is
/// detached or whose VM is deallocated, between Standard HDD, Standard SSD
/// and Premium SSD (LRS or ZRS). Ultra disks never convert in place; Premium
/// SSD v2 conversion in place is not modelled (the simulator refuses it and
/// points to the snapshot route the docs describe). The new type's size
/// limits apply.
pub fn convert_disk_type(lab: &LabState, disk: &Disk, to: DiskSku) -> Result<()> {
    let refuse = |reason: String| EngineError::DiskTypeChangeNotAllowed {
        disk: disk.at.name.clone(),
        from: disk.sku.name(),
        to: to.name(),
        reason,
    };
    if to == DiskSku::UltraSsdLrs || disk.sku == DiskSku::UltraSsdLrs {
        return Err(refuse(
            "an Ultra disk's type does not change in place. Take a snapshot and create a disk of the new type from it.".into(),
        ));
    }
    if to == DiskSku::PremiumV2Lrs || disk.sku == DiskSku::PremiumV2Lrs {
        return Err(refuse(
            "(simulated) converting to or from Premium SSD v2 in place is not modelled. Take a snapshot and create a disk of the new type from it.".into(),
        ));
    }
    upload_over(disk, "change the type of")?;
    if let Some(vm) = disk
        .managed_by
        .as_ref()
        .and_then(|vm| lab.vm(&disk.at.subscription, &disk.at.group, vm))
    {
        if vm.running {
            return Err(refuse(format!(
                "it is attached to the running VM '{}'. Deallocate the VM or detach the disk first.",
                vm.at.name
            )));
        }
    }
    crate::disk::check_size(to, disk.size_gib())
}

/// B7 — a disk restored from a snapshot is at least the snapshot's size:
/// it can only grow from there.
pub fn b7_restore_size(snapshot: &Snapshot, size_gib: u64) -> Result<()> {
    let snapshot_gib = snapshot.disk_size_bytes / GIB;
    if size_gib < snapshot_gib {
        return Err(EngineError::ShrinkNotAllowed {
            current_gib: snapshot_gib,
            requested_gib: size_gib,
        });
    }
    Ok(())
}

/// C1 — Premium SSD v2 / Ultra snapshots need feature access on the subscription.
pub fn c1_feature_access(lab: &LabState, disk: &Disk) -> Result<()> {
    if disk.sku.is_v2_or_ultra()
        && !lab
            .subscription(&disk.at.subscription)
            .is_some_and(|s| s.v2_ultra_snapshots)
    {
        return Err(EngineError::FeatureNotRegistered {
            subscription: disk.at.subscription.clone(),
        });
    }
    Ok(())
}

/// C2 — until its background copy completes, a snapshot cannot create a disk nor give a SAS.
/// (A CopyStart copy likewise is usable only when all data is copied, D1.)
pub fn c2_ready(snapshot: &Snapshot, now: Instant, operation: &'static str) -> Result<()> {
    if !snapshot.is_ready(now) {
        return Err(EngineError::SnapshotNotReady {
            snapshot: snapshot.at.name.clone(),
            percent: snapshot.completion_percent(now),
            operation,
        });
    }
    Ok(())
}

/// C3 — "While a background copy runs, at most 3 snapshots may be pending."
pub fn c3_pending(lab: &LabState, disk: &Disk) -> Result<()> {
    if !disk.sku.is_v2_or_ultra() {
        return Ok(());
    }
    let now = lab.now();
    let pending = lab
        .snapshots()
        .filter(|s| {
            s.origin.source_unique_id == disk.unique_id
                && s.origin.create_option == CreateOption::Copy
        })
        .filter(|s| s.background.is_some_and(|p| !p.is_done(now)))
        .count();
    if pending >= C3_MAX_PENDING {
        return Err(EngineError::TooManyPendingSnapshots {
            disk: disk.at.name.clone(),
            pending,
        });
    }
    Ok(())
}

/// C4 — "Up to 5 disks may be created at the same time from one such snapshot."
pub fn c4_disks_from_snapshot(lab: &LabState, snapshot: &Snapshot) -> Result<()> {
    if !snapshot.source_sku.is_v2_or_ultra() {
        return Ok(());
    }
    let now = lab.now();
    let snapshot_id = snapshot.id();
    let hydrating = lab
        .disks()
        .filter(|d| matches!(&d.origin, crate::model::DiskOrigin::FromSnapshot { snapshot_id: id, .. } if id.eq_ignore_ascii_case(&snapshot_id)))
        .filter(|d| d.hydration.is_some_and(|p| !p.is_done(now)))
        .count();
    if hydrating >= C4_MAX_HYDRATING_DISKS {
        return Err(EngineError::TooManyDisksFromSnapshot {
            snapshot: snapshot.at.name.clone(),
            count: hydrating,
        });
    }
    Ok(())
}

/// C5 — a disk created from such a snapshot cannot be attached until its own background copy completes.
pub fn c5_attachable(disk: &Disk, now: Instant) -> Result<()> {
    if let Some(progress) = disk.hydration {
        if !progress.is_done(now) {
            return Err(EngineError::DiskNotHydrated {
                disk: disk.at.name.clone(),
                percent: progress.percent(now),
            });
        }
    }
    Ok(())
}

/// C6 — a snapshot with 4096-byte logical sectors (VHDX) creates only Ultra and Premium SSD v2 disks.
pub fn c6_sector_size(snapshot: &Snapshot, target: DiskSku) -> Result<()> {
    if snapshot.logical_sector_size == 4096 && !target.is_v2_or_ultra() {
        return Err(EngineError::SectorSizeIncompatible {
            snapshot: snapshot.at.name.clone(),
            sku: target.name().to_string(),
        });
    }
    Ok(())
}

/// C6 — a disk with 4096-byte logical sectors must be Ultra or Premium SSD v2.
pub fn c6_disk_sector_size(sku: DiskSku, logical_sector_size: u64) -> Result<()> {
    if logical_sector_size == 4096 && !sku.is_v2_or_ultra() {
        return Err(EngineError::DiskSectorSizeNotSupported {
            sku: sku.name().to_string(),
        });
    }
    Ok(())
}

/// D1 — CopyStart copies incremental snapshots: the source must be one and
/// `--incremental true` given.
pub fn d1_copy_start_incremental(source_incremental: bool, incremental: bool) -> Result<()> {
    if !incremental || !source_incremental {
        return Err(EngineError::CopyStartNotIncremental);
    }
    Ok(())
}

/// D1 — a snapshot of a disk is taken in the disk's region; `target` is
/// the region asked for. Another region is reached by a copy (CopyStart).
pub fn d1_snapshot_in_disk_region(disk: &Disk, target: &str) -> Result<()> {
    if target != disk.at.location {
        return Err(EngineError::SnapshotOutsideDiskRegion {
            disk: disk.at.name.clone(),
            disk_location: disk.at.location.clone(),
            target: target.to_string(),
        });
    }
    Ok(())
}

/// D1 — CopyStart copies a snapshot: its `--source` cannot be a disk.
pub fn d1_copy_start_source_is_snapshot(copy_start: bool) -> Result<()> {
    if copy_start {
        return Err(EngineError::CopyStartFromDisk);
    }
    Ok(())
}

/// D1 — a snapshot reaches another region only through CopyStart:
/// `target` is the region asked for.
pub fn d1_other_region_needs_copy_start(
    source: &Snapshot,
    target: &str,
    copy_start: bool,
) -> Result<()> {
    if !copy_start && target != source.at.location {
        return Err(EngineError::CopyNeedsCopyStart {
            snapshot: source.at.name.clone(),
            target: target.to_string(),
        });
    }
    Ok(())
}

/// D1 — CopyStart copies to another region (within one, createOption Copy
/// does): `target` is the region asked for.
pub fn d1_copy_start_to_other_region(source: &Snapshot, target: &str) -> Result<()> {
    if target == source.at.location {
        return Err(EngineError::CopyStartSameRegion {
            region: target.to_string(),
        });
    }
    Ok(())
}

/// D3 — at most [`D3_MAX_PARALLEL_COPIES`] copies in parallel per
/// subscription per target region; `running` is how many are.
pub fn d3_parallel_copies(running: usize, region: &str) -> Result<()> {
    if running >= D3_MAX_PARALLEL_COPIES {
        return Err(EngineError::TooManyParallelCopies {
            region: region.to_string(),
            count: running,
        });
    }
    Ok(())
}

/// D3 — one snapshot of a disk is copied at a time: `running` is a copy of
/// the same disk's family still in progress, if there is one.
pub fn d3_one_copy_per_disk(source: &Snapshot, running: Option<&Snapshot>) -> Result<()> {
    if let Some(running) = running {
        return Err(EngineError::CopyAlreadyRunning {
            disk: source.origin.source_resource_id.clone(),
            region: running.at.location.clone(),
            running: running.at.name.clone(),
        });
    }
    Ok(())
}

/// D3 — a disk's snapshots are copied in creation order: `already` is the
/// name and creation order of the source of the newest copy in the target
/// region (kept with the copy, so a source deleted since still counts: an
/// older snapshot copied after it would break the target family's order).
pub fn d3_creation_order(
    source: &Snapshot,
    already: Option<(String, u64)>,
    region: &str,
) -> Result<()> {
    if let Some((already, seq)) = already {
        if seq >= source.seq {
            return Err(EngineError::CopyOutOfOrder {
                snapshot: source.at.name.clone(),
                already,
                region: region.to_string(),
            });
        }
    }
    Ok(())
}

/// C8 — a Premium SSD v2 or Ultra disk takes incremental snapshots only.
pub fn c8_incremental_only(disk: &Disk, incremental: bool) -> Result<()> {
    if !incremental && disk.sku.is_v2_or_ultra() {
        return Err(EngineError::FullSnapshotNotSupported {
            disk: disk.at.name.clone(),
            sku: disk.sku.name(),
        });
    }
    Ok(())
}

/// C9 — provisioned IOPS and throughput: only Premium SSD v2 and Ultra
/// Disks take them (with defaults when not given), within the absolute
/// ranges of their docs. Returns what the disk is provisioned with.
pub fn c9_performance(
    sku: DiskSku,
    iops: Option<u64>,
    mbps: Option<u64>,
) -> Result<Option<(u64, u64)>> {
    let (default, iops_range, mbps_range) = match sku {
        DiskSku::PremiumV2Lrs => ((3_000, 125), 3_000..=80_000, 125..=1_200),
        DiskSku::UltraSsdLrs => ((3_000, 125), 100..=400_000, 1..=10_000),
        _ if iops.is_none() && mbps.is_none() => return Ok(None),
        _ => return Err(EngineError::PerformanceNotSupported { sku: sku.name() }),
    };
    let (iops, mbps) = (iops.unwrap_or(default.0), mbps.unwrap_or(default.1));
    for (property, value, range) in [
        ("diskIOPSReadWrite", iops, iops_range),
        ("diskMBpsReadWrite", mbps, mbps_range),
    ] {
        if !range.contains(&value) {
            return Err(EngineError::PerformanceOutOfRange {
                property,
                value,
                sku: sku.name(),
                min: *range.start(),
                max: *range.end(),
            });
        }
    }
    Ok(Some((iops, mbps)))
}

/// C7 — Premium SSD v2 / Ultra snapshots exist only in some regions (2023 lists).
pub fn c7_region(sku: DiskSku, region: &Region) -> Result<()> {
    let (kind, available): (&'static str, fn(&Region) -> bool) = match sku {
        DiskSku::UltraSsdLrs => ("Ultra Disk", |r| r.ultra_snapshots),
        DiskSku::PremiumV2Lrs => ("Premium SSD v2", |r| r.premium_v2_snapshots),
        _ => return Ok(()),
    };
    if available(region) {
        return Ok(());
    }
    Err(EngineError::RegionNotSupported {
        kind,
        region: region.display_name.to_string(),
        available: REGIONS
            .iter()
            .filter(|r| available(r))
            .map(|r| r.display_name)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Lab;

    #[test]
    fn the_table_has_each_id_of_the_reference_sheet_once() {
        let sections = [("A", 11), ("B", 8), ("C", 9), ("D", 6)];
        let expected: Vec<String> = sections
            .iter()
            .flat_map(|(letter, n)| (1..=*n).map(move |i| format!("{letter}{i}")))
            .collect();
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids, expected);
        assert!(RULES
            .iter()
            .all(|r| !r.summary.is_empty() && !r.source.is_empty()));
    }

    use crate::clock::LAB_EPOCH;

    #[test]
    fn b1_allows_seven_in_five_minutes_and_names_the_next_allowed_time() {
        let t0 = LAB_EPOCH + Span::seconds(61); // 10:01:01
        let times: Vec<Instant> = (0..7).map(|i| t0 + Span::seconds(20 * i)).collect();
        let now = LAB_EPOCH + Span::minutes(3) + Span::seconds(12);
        assert!(b1_snapshot_rate(&times[..6], now).is_ok());
        let err = b1_snapshot_rate(&times, now).unwrap_err();
        assert_eq!(err.code(), "SnapshotOperationRateExceeded");
        assert_eq!(err.rule(), Some("B1"));
        assert!(err.is_simulated());
        assert_eq!(
            err.to_string(),
            "At most 7 incremental snapshots per disk every 5 minutes (rule B1): the 8th at 10:03:12 is refused; the next is allowed at 10:06:01."
        );
        // Exactly five minutes after the oldest, it has left the window.
        assert!(b1_snapshot_rate(&times, t0 + B1_WINDOW).is_ok());
    }

    #[test]
    fn b6_boundary_is_crossed_only_from_at_most_4_tib_to_more() {
        assert!(b6_crosses_boundary(2048, 6144));
        assert!(b6_crosses_boundary(4096, 4097));
        assert!(!b6_crosses_boundary(1024, 4096));
        assert!(!b6_crosses_boundary(5000, 8000));
    }

    #[test]
    fn c7_refuses_premium_v2_snapshots_in_sweden_central_but_not_ultra() {
        let sweden = crate::catalog::region("swedencentral").unwrap();
        assert!(c7_region(DiskSku::UltraSsdLrs, sweden).is_ok());
        let err = c7_region(DiskSku::PremiumV2Lrs, sweden).unwrap_err();
        assert_eq!(err.rule(), Some("C7"));
        assert!(
            err.to_string()
                .contains("North Europe, West Europe, East US, East US 2, West US 2"),
            "{err}"
        );
        assert!(c7_region(DiskSku::PremiumLrs, sweden).is_ok());
    }

    /// A lab in West Europe with feature access, a Premium SSD `d` with an
    /// incremental snapshot `s`, and a Premium SSD v2 `v2` with three
    /// snapshots whose background copies run for an hour. Its state, which
    /// the test then changes directly to make each rule refuse.
    fn refusing_lab() -> LabState {
        use crate::cmd::{CreateDisk, CreateGroup, CreateSnapshot, SetFeatureAccess};
        let mut lab = Lab::new();
        let snapshot = |name: &str, disk: &str| CreateSnapshot {
            group: "rg".into(),
            name: name.into(),
            source: disk.into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        };
        for command in [
            CreateGroup {
                name: "rg".into(),
                location: "westeurope".into(),
            }
            .into(),
            SetFeatureAccess { enabled: true }.into(),
            CreateDisk::premium("rg", "d", 4).into(),
            CreateDisk::new("rg", "v2", "PremiumV2_LRS", 4).into(),
            snapshot("s", "d").into(),
            snapshot("v2-1", "v2").into(),
            snapshot("v2-2", "v2").into(),
            snapshot("v2-3", "v2").into(),
        ] {
            lab.execute(command).unwrap();
        }
        let running = Some(crate::model::Progress {
            started: lab.now(),
            duration: Span::hours(1),
        });
        for name in ["v2-1", "v2-2", "v2-3"] {
            lab.state.snapshot_mut("rg", name).unwrap().background = running;
        }
        lab.state
    }

    /// Every refusal function, made to refuse, names a rule of the table
    /// (or, for the upload and disk-type refusals, which no rule of the reference sheet
    /// stands behind, names none and says its code); and every refusal
    /// function of this file is in one of the lists (read from the
    /// source), so a new one cannot go unchecked.
    #[test]
    fn every_refusal_names_a_rule_of_the_table() {
        let mut lab = refusing_lab();
        let now = lab.now();
        let d = lab.find_disk("rg", "d").unwrap().clone();
        let v2 = lab.find_disk("rg", "v2").unwrap().clone();
        let s = lab.find_snapshot("rg", "s").unwrap().clone();
        let v2_1 = lab.find_snapshot("rg", "v2-1").unwrap().clone();
        let mut hydrating = d.clone();
        hydrating.hydration = v2_1.background;
        let mut vhdx = s.clone();
        vhdx.logical_sector_size = 4096;
        for i in 0..C4_MAX_HYDRATING_DISKS {
            let mut at = d.at.clone();
            at.name = format!("r{i}");
            lab.insert_disk(Disk::restored(
                at,
                DiskSku::PremiumV2Lrs,
                format!("u{i}"),
                now,
                d.data.clone(),
                &v2_1,
                v2_1.background,
            ));
        }
        for name in ["v2-1", "v2-2", "v2-3"] {
            lab.snapshot_mut("rg", name).unwrap().sas_active = true;
        }
        let family = v2_1.family_id.clone().unwrap();
        let mut crowded = lab.clone();
        for name in ["s2", "s3"] {
            let mut more = v2_1.clone();
            more.at.name = name.into();
            more.sas_active = true;
            crowded.insert_snapshot(more);
        }
        let mut no_feature = lab.clone();
        no_feature.current_subscription_mut().v2_ultra_snapshots = false;
        let sweden = crate::catalog::region("swedencentral").unwrap();
        let refusals: Vec<(&str, &str, Result<()>)> = vec![
            ("b1_snapshot_rate", "B1", b1_snapshot_rate(&[now; 7], now)),
            (
                "b2_snapshot_count",
                "B2",
                b2_snapshot_count(&d, B2_MAX_SNAPSHOTS),
            ),
            (
                "b3_sas_per_family",
                "B3",
                b3_sas_per_family(&crowded, &family),
            ),
            ("b4_same_subscription", "B4", b4_same_subscription("a", "b")),
            ("b4_b5_no_move", "B4", b4_b5_no_move(&s, "another")),
            ("b4_b5_no_move", "B5", b4_b5_no_move(&s, &s.at.subscription)),
            ("b7_resize", "B7", b7_resize(&lab, &d, 1)),
            ("b7_restore_size", "B7", b7_restore_size(&s, 1)),
            (
                "c1_feature_access",
                "C1",
                c1_feature_access(&no_feature, &v2),
            ),
            ("c2_ready", "C2", c2_ready(&v2_1, now, "be copied")),
            ("c3_pending", "C3", c3_pending(&lab, &v2)),
            (
                "c4_disks_from_snapshot",
                "C4",
                c4_disks_from_snapshot(&lab, &v2_1),
            ),
            ("c5_attachable", "C5", c5_attachable(&hydrating, now)),
            (
                "c6_sector_size",
                "C6",
                c6_sector_size(&vhdx, DiskSku::PremiumLrs),
            ),
            (
                "c6_disk_sector_size",
                "C6",
                c6_disk_sector_size(DiskSku::PremiumLrs, 4096),
            ),
            ("c7_region", "C7", c7_region(DiskSku::PremiumV2Lrs, sweden)),
            ("c8_incremental_only", "C8", c8_incremental_only(&v2, false)),
            (
                "c9_performance",
                "C9",
                c9_performance(DiskSku::PremiumLrs, Some(500), None).map(drop),
            ),
            (
                "c9_performance",
                "C9",
                c9_performance(DiskSku::PremiumV2Lrs, Some(1), None).map(drop),
            ),
            (
                "d1_copy_start_incremental",
                "D1",
                d1_copy_start_incremental(false, true),
            ),
            (
                "d1_snapshot_in_disk_region",
                "D1",
                d1_snapshot_in_disk_region(&d, "eastus"),
            ),
            (
                "d1_copy_start_source_is_snapshot",
                "D1",
                d1_copy_start_source_is_snapshot(true),
            ),
            (
                "d1_other_region_needs_copy_start",
                "D1",
                d1_other_region_needs_copy_start(&s, "eastus", false),
            ),
            (
                "d1_copy_start_to_other_region",
                "D1",
                d1_copy_start_to_other_region(&s, &s.at.location),
            ),
            (
                "d3_parallel_copies",
                "D3",
                d3_parallel_copies(D3_MAX_PARALLEL_COPIES, "eastus"),
            ),
            (
                "d3_one_copy_per_disk",
                "D3",
                d3_one_copy_per_disk(&s, Some(&s)),
            ),
            (
                "d3_creation_order",
                "D3",
                d3_creation_order(&s, Some(("s".into(), s.seq)), "eastus"),
            ),
        ];
        for (function, id, result) in &refusals {
            let err = result.as_ref().expect_err(function);
            assert_eq!(err.rule(), Some(*id), "{function}: {err}");
            assert!(rule(id).is_some(), "{id} is not in RULES");
        }
        let mut ready = d.clone();
        ready.upload = Some(crate::model::UploadStage::Ready);
        let unruled = [
            (
                "upload_size",
                "InvalidParameter",
                upload_size(UPLOAD_MIN_BYTES - 512),
            ),
            (
                "upload_size",
                "InvalidParameter",
                upload_size(UPLOAD_MIN_BYTES + 1),
            ),
            (
                "upload_over",
                "OperationNotAllowed",
                upload_over(&ready, "attach"),
            ),
            (
                "upload_writable",
                "OperationNotAllowed",
                upload_writable(&ready),
            ),
            ("write_access", "OperationNotAllowed", write_access(&d)),
            (
                "convert_disk_type",
                "OperationNotAllowed",
                convert_disk_type(&lab, &d, DiskSku::UltraSsdLrs),
            ),
        ];
        for (function, code, result) in &unruled {
            let err = result.as_ref().expect_err(function);
            assert_eq!((err.rule(), err.code()), (None, *code), "{function}: {err}");
        }
        let tested: std::collections::BTreeSet<&str> = refusals
            .iter()
            .map(|r| r.0)
            .chain(unruled.iter().map(|r| r.0))
            .collect();
        assert_eq!(
            tested,
            refusal_functions().iter().map(String::as_str).collect()
        );
    }

    /// The names of this file's public functions that can refuse (return a `Result`).
    fn refusal_functions() -> std::collections::BTreeSet<String> {
        let source = include_str!("rules.rs");
        let source = &source[..source.find("#[cfg(test)]").unwrap()];
        source
            .split("\npub fn ")
            .skip(1)
            .filter(|f| f[..f.find('{').unwrap()].contains("-> Result<"))
            .map(|f| f[..f.find('(').unwrap()].to_string())
            .collect()
    }
}
