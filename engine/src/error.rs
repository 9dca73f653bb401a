//! Refusals, in the terms an Azure user knows.
//!
//! Every public entry point of the engine validates its input and, when it
//! refuses, returns an [`EngineError`]: a typed variant per refusal, with an
//! Azure-style [`code`](EngineError::code) (what `az` prints in parentheses),
//! a message naming the rule and the numbers, the rule's id from the
//! reference sheet, and whether the code is one Azure documents or one the
//! simulator chose ([`is_simulated`](EngineError::is_simulated)).
//! A refused operation never changes state.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    // ---- input -----------------------------------------------------------
    #[error("The offset {offset} and length {length} must both be multiples of 512 bytes: a managed disk is written in 512-byte pages (rule A10).")]
    MisalignedRange { offset: u64, length: u64 },
    #[error("The range from byte {offset} to byte {end} reaches past the end of the disk: it ends at {}, the disk is {} ({disk_size} bytes).", crate::units::human_bytes(*end), crate::units::human_bytes(*disk_size))]
    RangePastEnd {
        offset: u64,
        end: u64,
        disk_size: u64,
    },
    #[error("The disk size {size_gib} GiB is not allowed: a {sku} disk is 1 to {} GiB.", crate::units::group_thousands(*max_gib))]
    InvalidDiskSize {
        size_gib: u64,
        max_gib: u64,
        sku: &'static str,
    },
    #[error("The logical sector size {sector_size} is not allowed: use 512 or 4096 (rule C6).")]
    InvalidSectorSize { sector_size: u64 },
    #[error("The value '{sku}' is not a valid SKU. Allowed values: {allowed}.")]
    UnknownSku { sku: String, allowed: String },
    #[error("The location '{location}' is not available for resource type 'Microsoft.Compute'. List the simulator's regions with 'az account list-locations'.")]
    UnknownLocation { location: String },
    #[error("The {kind} name '{name}' is invalid: {reason}")]
    InvalidName {
        kind: &'static str,
        name: String,
        reason: &'static str,
    },
    #[error("{reason}")]
    InvalidParameter { reason: String },

    // ---- lookups ---------------------------------------------------------
    #[error("The subscription '{subscription}' could not be found.")]
    SubscriptionNotFound { subscription: String },
    #[error("Resource group '{group}' could not be found.")]
    ResourceGroupNotFound { group: String },
    #[error("The Resource 'Microsoft.Compute/{kind}/{name}' under resource group '{group}' was not found.")]
    ResourceNotFound {
        kind: &'static str,
        name: String,
        group: String,
    },
    #[error("A {kind} named '{name}' already exists in resource group '{group}'. Delete it first or choose another name.")]
    AlreadyExists {
        kind: &'static str,
        name: String,
        group: String,
    },
    /// A Resource Manager template that does not validate: nothing was
    /// deployed (ARM's InvalidTemplate).
    #[error("Deployment template validation failed: '{detail}'.")]
    InvalidTemplate { detail: String },
    /// A lab file (an export) that cannot be imported: nothing was changed.
    #[error("This lab file cannot be imported: {detail}.")]
    InvalidLabFile { detail: String },
    /// A create-or-update (PUT) of an existing resource that changes what
    /// cannot change once it exists.
    #[error("Changing property '{property}' is not allowed. {hint}")]
    PropertyChangeNotAllowed {
        property: &'static str,
        hint: String,
    },
    #[error("Resource group '{group}' still holds {count} resource(s); delete them first.")]
    ResourceGroupNotEmpty { group: String, count: usize },

    // ---- restrictions (section 2 of the reference sheet) ------------------
    #[error("At most 7 incremental snapshots per disk every 5 minutes (rule B1): the {nth}th at {at} is refused; the next is allowed at {next_allowed}.")]
    SnapshotRateExceeded {
        nth: usize,
        at: String,
        next_allowed: String,
    },
    #[error("Disk '{disk}' already has {count} incremental snapshots, the most a disk may have at one time (rule B2). Delete old snapshots to make room.")]
    SnapshotCountExceeded { disk: String, count: usize },
    #[error("{count} snapshots of this family already have an active SAS; at most 5 snapshots of one family may be granted access at the same time (rule B3). Revoke access on one of: {granted}.")]
    SasLimitExceeded { count: usize, granted: String },
    #[error("Incremental snapshots cannot be created in or moved to another subscription (rule B4): the disk is in subscription '{disk_subscription}', the snapshot would be in '{target_subscription}'.")]
    CrossSubscription {
        disk_subscription: String,
        target_subscription: String,
    },
    #[error("Incremental snapshots cannot be moved to another {target} (rule {rule}). Copy it instead: 'az snapshot create --source <snapshot id> --incremental' in the target resource group or region.")]
    MoveNotSupported {
        target: &'static str,
        rule: &'static str,
    },
    #[error("The disk can only grow (rule B7): it is {current_gib} GiB and {requested_gib} GiB was asked for.")]
    ShrinkNotAllowed {
        current_gib: u64,
        requested_gib: u64,
    },
    #[error("Disk '{disk}' is attached to the running VM '{vm}': resize it only when the VM is deallocated or the disk is detached (rule B7).")]
    ResizeWhileAttached { disk: String, vm: String },
    #[error("The type of disk '{disk}' cannot change from {from} to {to}: {reason}")]
    DiskTypeChangeNotAllowed {
        disk: String,
        from: &'static str,
        to: &'static str,
        reason: String,
    },
    #[error("Operation '{operation}' is not allowed on disk '{disk}': it is attached to VM '{vm}'. Detach it first.")]
    DiskAttached {
        operation: &'static str,
        disk: String,
        vm: String,
    },
    #[error("Operation '{operation}' is not allowed while disk '{disk}' has an active SAS (diskState ActiveSAS). Revoke access first.")]
    DiskHasActiveSas {
        operation: &'static str,
        disk: String,
    },
    #[error("Operation '{operation}' is not allowed on disk '{disk}' while its upload is not over (diskState {state}). {hint}")]
    UploadNotOver {
        operation: &'static str,
        disk: String,
        state: &'static str,
        hint: &'static str,
    },
    #[error("Write access is granted only on a disk created for upload (createOption Upload) before its upload is over; '{name}' is {what}. Grant Read access to read it.")]
    WriteAccessNotAllowed { name: String, what: String },

    // ---- diff (section 5) --------------------------------------------------
    #[error("Snapshots '{newer}' and '{older}' are not of the same family (incrementalSnapshotFamilyId differs): a page-range diff is only possible between snapshots of one disk (rule A4).")]
    DifferentFamily { newer: String, older: String },
    #[error("The previous snapshot '{older}' was taken after '{newer}': give the older snapshot as the previous one.")]
    PreviousSnapshotCannotBeNewer { newer: String, older: String },
    #[error("The previous snapshot '{older}' was not found: it was deleted, so there is nothing to diff against.")]
    PreviousSnapshotNotFound { older: String },
    #[error("The disk was resized across the 4 TiB boundary between '{older}' and '{newer}' (rule B6): no diff is possible across it; download the first snapshot after the resize in full.")]
    DiffAcrossSizeBoundary { newer: String, older: String },
    #[error("The marker '{marker}' is not one this list returned.")]
    InvalidMarker { marker: String },

    // ---- Premium SSD v2 and Ultra (section 3) -------------------------------
    #[error("Subscription '{subscription}' is not registered for snapshots of Premium SSD v2 and Ultra disks (rule C1): request feature access first ('sim feature enable').")]
    FeatureNotRegistered { subscription: String },
    #[error("Snapshot '{snapshot}' is still copying in the background ({percent}% complete, rule C2): it cannot {operation} until completionPercent is 100.")]
    SnapshotNotReady {
        snapshot: String,
        percent: u8,
        operation: &'static str,
    },
    #[error("Disk '{disk}' already has {pending} snapshots whose background copy is running; at most 3 may be pending (rule C3). Wait until one completes.")]
    TooManyPendingSnapshots { disk: String, pending: usize },
    #[error("{count} disks are already being created from snapshot '{snapshot}'; at most 5 may be created from one such snapshot at the same time (rule C4).")]
    TooManyDisksFromSnapshot { snapshot: String, count: usize },
    #[error("Disk '{disk}' cannot be attached yet: its background copy is {percent}% complete (rule C5). Check with 'az disk show --query [completionPercent]'.")]
    DiskNotHydrated { disk: String, percent: u8 },
    #[error("Snapshot '{snapshot}' has a logical sector size of 4096 (VHDX) and can only create Ultra and Premium SSD v2 disks, not {sku} (rule C6).")]
    SectorSizeIncompatible { snapshot: String, sku: String },
    #[error("A logical sector size of 4096 is only supported for Ultra and Premium SSD v2 disks, not {sku} (rule C6).")]
    DiskSectorSizeNotSupported { sku: String },
    #[error("Disk '{disk}' is {sku}: only incremental snapshots are supported for Premium SSD v2 and Ultra disks.")]
    FullSnapshotNotSupported { disk: String, sku: &'static str },
    #[error("Disk IOPS and throughput can be set only for PremiumV2_LRS and UltraSSD_LRS disks, not {sku}.")]
    PerformanceNotSupported { sku: &'static str },
    #[error("{property} {value} is out of range for {sku}: {min} to {max}.")]
    PerformanceOutOfRange {
        property: &'static str,
        value: u64,
        sku: &'static str,
        min: u64,
        max: u64,
    },
    #[error("{kind} snapshots are not available in {region} (rule C7). Regions that have them: {available}.")]
    RegionNotSupported {
        kind: &'static str,
        region: String,
        available: String,
    },

    // ---- copy to another region (section 4) -------------------------------
    #[error("A copy of a snapshot of disk '{disk}' to {region} is already running ('{running}'): one snapshot of a disk is copied at a time (rule D3).")]
    CopyAlreadyRunning {
        disk: String,
        region: String,
        running: String,
    },
    #[error("Snapshots of a disk must be copied in creation order (rule D3): '{snapshot}' is older than '{already}', which was already copied to {region}.")]
    CopyOutOfOrder {
        snapshot: String,
        already: String,
        region: String,
    },
    #[error("{count} copies are already running into {region} in this subscription; at most 100 run in parallel (rule D3).")]
    TooManyParallelCopies { region: String, count: usize },
    #[error("CopyStart copies incremental snapshots: the source must be incremental and --incremental true given (rule D1).")]
    CopyStartNotIncremental,
    #[error("A snapshot of disk '{disk}' must be in the disk's region ({disk_location}); to get it into {target}, snapshot here and copy with --copy-start (D1).")]
    SnapshotOutsideDiskRegion {
        disk: String,
        disk_location: String,
        target: String,
    },
    #[error("Copying snapshot '{snapshot}' to {target} needs --copy-start (createOption CopyStart, D1).")]
    CopyNeedsCopyStart { snapshot: String, target: String },
    #[error("--copy-start copies a snapshot to another region: give a snapshot id as --source, not a disk.")]
    CopyStartFromDisk,
    #[error("A cross-region copy (CopyStart) needs a target region different from the source's ({region}); to copy within a region use createOption Copy.")]
    CopyStartSameRegion { region: String },

    // ---- training ----------------------------------------------------------------
    #[error("'{command}' is disabled in this lesson: the lesson asks you to reach its goal another way. Its hints say which.")]
    DisabledInLesson { command: &'static str },

    // ---- storage -------------------------------------------------------------
    #[error("Browser storage is full or failing ({detail}); the operation was not applied and nothing stored was changed.")]
    StorageFailed { detail: String },
    #[error("The stored lab cannot be read ({detail}); nothing was changed. Export what you can, or reset the lab.")]
    StorageCorrupt { detail: String },
}

impl EngineError {
    /// The code Azure (or, where [`is_simulated`](Self::is_simulated), the simulator) reports.
    pub fn code(&self) -> &'static str {
        use EngineError::*;
        match self {
            MisalignedRange { .. } | RangePastEnd { .. } => "InvalidPageRange",
            InvalidDiskSize { .. }
            | InvalidSectorSize { .. }
            | UnknownSku { .. }
            | InvalidParameter { .. } => "InvalidParameter",
            SectorSizeIncompatible { .. } | DiskSectorSizeNotSupported { .. } => "InvalidParameter",
            CopyStartNotIncremental => "InvalidParameter",
            FullSnapshotNotSupported { .. }
            | PerformanceNotSupported { .. }
            | PerformanceOutOfRange { .. } => "InvalidParameter",
            SnapshotOutsideDiskRegion { .. } | CopyNeedsCopyStart { .. } | CopyStartFromDisk => {
                "InvalidParameter"
            }
            UnknownLocation { .. } | RegionNotSupported { .. } => {
                "LocationNotAvailableForResourceType"
            }
            InvalidName { .. } => "InvalidResourceName",
            SubscriptionNotFound { .. } => "SubscriptionNotFound",
            ResourceGroupNotFound { .. } => "ResourceGroupNotFound",
            ResourceNotFound { .. } => "ResourceNotFound",
            AlreadyExists { .. } => "Conflict",
            PropertyChangeNotAllowed { .. } => "PropertyChangeNotAllowed",
            InvalidLabFile { .. } => "InvalidLabFile",
            InvalidTemplate { .. } => "InvalidTemplate",
            ResourceGroupNotEmpty { .. } => "Conflict",
            SnapshotRateExceeded { .. } => "SnapshotOperationRateExceeded",
            SnapshotCountExceeded { .. } => "SnapshotCountExceeded",
            CrossSubscription { .. } | MoveNotSupported { .. } => "OperationNotAllowed",
            SasLimitExceeded { .. } | ShrinkNotAllowed { .. } | ResizeWhileAttached { .. } => {
                "OperationNotAllowed"
            }
            DiskAttached { .. } | DiskHasActiveSas { .. } => "OperationNotAllowed",
            DiskTypeChangeNotAllowed { .. } => "OperationNotAllowed",
            UploadNotOver { .. } | WriteAccessNotAllowed { .. } => "OperationNotAllowed",
            SnapshotNotReady { .. }
            | TooManyPendingSnapshots { .. }
            | TooManyDisksFromSnapshot { .. } => "OperationNotAllowed",
            DiskNotHydrated { .. } => "OperationNotAllowed",
            CopyAlreadyRunning { .. } | CopyOutOfOrder { .. } | TooManyParallelCopies { .. } => {
                "OperationNotAllowed"
            }
            CopyStartSameRegion { .. } => "InvalidParameter",
            DifferentFamily { .. } | PreviousSnapshotNotFound { .. } => "PreviousSnapshotNotFound",
            PreviousSnapshotCannotBeNewer { .. } => "PreviousSnapshotCannotBeNewer",
            DiffAcrossSizeBoundary { .. } => "SnapshotDiffAcrossSizeBoundary",
            InvalidMarker { .. } => "InvalidQueryParameterValue",
            FeatureNotRegistered { .. } => "SubscriptionNotRegisteredForFeature",
            StorageFailed { .. } => "QuotaExceeded",
            StorageCorrupt { .. } => "InvalidStoredLab",
            DisabledInLesson { .. } => "DisabledInLesson",
        }
    }

    /// True where Azure documents no code for this refusal (reference sheet B8:
    /// ARM messages for B1/B2 are not public) and the simulator chose one.
    pub fn is_simulated(&self) -> bool {
        use EngineError::*;
        matches!(
            self,
            AlreadyExists { .. }
                | SnapshotRateExceeded { .. }
                | SnapshotCountExceeded { .. }
                | SasLimitExceeded { .. }
                | CrossSubscription { .. }
                | MoveNotSupported { .. }
                | DiffAcrossSizeBoundary { .. }
                | DifferentFamily { .. }
                | SnapshotNotReady { .. }
                | TooManyPendingSnapshots { .. }
                | TooManyDisksFromSnapshot { .. }
                | DiskNotHydrated { .. }
                | SectorSizeIncompatible { .. }
                | CopyAlreadyRunning { .. }
                | CopyOutOfOrder { .. }
                | TooManyParallelCopies { .. }
                | UploadNotOver { .. }
                | WriteAccessNotAllowed { .. }
                | StorageFailed { .. }
                | StorageCorrupt { .. }
                | DisabledInLesson { .. }
        )
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
