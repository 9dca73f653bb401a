//! The resources of the lab: subscriptions, resource groups, disks,
//! snapshots and VMs, with the fields Azure gives them.
//!
//! These are plain data. What may happen to them is decided in
//! `cmd/` (the operations) and `rules.rs` (the rules).

use crate::catalog::{DiskSku, SnapshotSku};
use crate::clock::{Instant, Span};
use crate::disk::DiskData;
use crate::naming::{arm_id, family_id_for};
use crate::page_map::{PageMap, PageRange};
use crate::range_set::RangeSet;
use crate::units::{MIB, PAGE_SIZE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    /// Feature access for Premium SSD v2 / Ultra snapshots (rule C1).
    pub v2_ultra_snapshots: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceGroup {
    pub subscription: String,
    pub name: String,
    pub location: String,
}

/// Where a resource lives: subscription, resource group and name. Azure
/// names are case-insensitive, so lookups go through [`Key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Placement {
    pub subscription: String,
    pub group: String,
    pub name: String,
    pub location: String,
}

/// A case-insensitive lookup key: (subscription, group, name), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(pub String, pub String, pub String);

impl Key {
    pub fn new(subscription: &str, group: &str, name: &str) -> Key {
        Key(
            subscription.to_lowercase(),
            group.to_lowercase(),
            name.to_lowercase(),
        )
    }
}

impl Placement {
    pub fn key(&self) -> Key {
        Key::new(&self.subscription, &self.group, &self.name)
    }
    pub fn id(&self, kind: &str) -> String {
        arm_id(&self.subscription, &self.group, kind, &self.name)
    }
}

/// Work that finishes later on the simulated clock: the background copy of a
/// Premium SSD v2 / Ultra snapshot (C2), a disk hydrating from one (C5), or a
/// cross-region copy (D1). Progress is derived from the clock, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub started: Instant,
    pub duration: Span,
}

impl Progress {
    /// `completionPercent` at `now`, 0–100 (whole percent, rounded down).
    pub fn percent(&self, now: Instant) -> u8 {
        if self.duration.as_millis() == 0 {
            return 100;
        }
        let done = (now - self.started)
            .as_millis()
            .min(self.duration.as_millis());
        (done * 100 / self.duration.as_millis()) as u8
    }
    pub fn done_at(&self) -> Instant {
        self.started + self.duration
    }
    pub fn is_done(&self, now: Instant) -> bool {
        now >= self.done_at()
    }
}

/// `creationData.createOption`: how a disk or snapshot was made. Stored and
/// shown as Azure spells it ("Empty", "Copy", "CopyStart"), in `az` output
/// and in checkpoints alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CreateOption {
    /// A new, empty disk.
    Empty,
    /// From a disk or a snapshot in the same region (a restore, a snapshot,
    /// a copy to another resource group).
    Copy,
    /// A copy of an incremental snapshot to another region (D1).
    CopyStart,
    /// A disk made to be written through a write SAS (a VHD upload).
    Upload,
}

impl CreateOption {
    /// The name Azure gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            CreateOption::Empty => "Empty",
            CreateOption::Copy => "Copy",
            CreateOption::CopyStart => "CopyStart",
            CreateOption::Upload => "Upload",
        }
    }
}

impl std::fmt::Display for CreateOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CreateOption {
    type Err = String;
    fn from_str(text: &str) -> Result<CreateOption, String> {
        [
            CreateOption::Empty,
            CreateOption::Copy,
            CreateOption::CopyStart,
            CreateOption::Upload,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
        .ok_or_else(|| format!("createOption {text} is unknown"))
    }
}

/// How a disk came to be (`creationData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskOrigin {
    /// `createOption: Empty`.
    Empty,
    /// `createOption: Copy` from a snapshot (a restore).
    FromSnapshot {
        snapshot_id: String,
        snapshot_unique_id: String,
    },
    /// `createOption: Upload`: made empty, `upload_size_bytes` long (the
    /// VHD's contents with its 512-byte footer), to be written through a
    /// write SAS before it can be used.
    Upload { upload_size_bytes: u64 },
}

/// Where a disk made for upload is in its upload (`diskState`). Once the
/// write SAS is revoked the upload is over and the disk is an ordinary one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStage {
    /// `ReadyToUpload`: waiting for a write SAS.
    Ready,
    /// `ActiveUpload`: a write SAS is out; pages are being written.
    Active,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    pub at: Placement,
    pub sku: DiskSku,
    /// New on every creation: deleting a disk and creating one with the same
    /// name starts a new snapshot family (rule A3).
    pub unique_id: String,
    pub time_created: Instant,
    pub origin: DiskOrigin,
    pub data: DiskData,
    /// Pages written or cleared since this disk's last incremental snapshot:
    /// what the next one will hold (A1, A8: any write counts).
    pub changed: RangeSet,
    /// The VM the disk is attached to (`managedBy`).
    pub managed_by: Option<String>,
    /// A disk restored from a Premium SSD v2 / Ultra snapshot copies in the
    /// background and cannot be attached until done (C5).
    pub hydration: Option<Progress>,
    pub sas_active: bool,
    /// When the SAS granted last runs out (its `se`): a read SAS ends then
    /// (the clock's advance revokes it), a write SAS stops writing.
    pub sas_until: Option<Instant>,
    /// Bumped when a resize crosses the 4 TiB boundary (B6).
    pub size_epoch: u32,
    /// When incremental snapshots of this disk were taken, for B1.
    pub incremental_snapshot_times: Vec<Instant>,
    /// The availability zone of a zonal disk.
    pub zone: Option<String>,
    /// Provisioned (IOPS, MB/s) of a Premium SSD v2 or Ultra disk.
    pub performance: Option<(u64, u64)>,
    /// A disk made for upload whose upload is not over (`ReadyToUpload`,
    /// `ActiveUpload`); `None` for every other disk.
    pub upload: Option<UploadStage>,
}

impl DiskOrigin {
    pub fn create_option(&self) -> CreateOption {
        match self {
            DiskOrigin::Empty => CreateOption::Empty,
            DiskOrigin::FromSnapshot { .. } => CreateOption::Copy,
            DiskOrigin::Upload { .. } => CreateOption::Upload,
        }
    }
}

impl Disk {
    /// A new, empty disk (`createOption: Empty`): nothing written, attached
    /// to nothing, not zonal, no provisioned performance until set.
    pub(crate) fn empty(
        at: Placement,
        sku: DiskSku,
        unique_id: String,
        time_created: Instant,
        data: DiskData,
    ) -> Disk {
        Disk {
            at,
            sku,
            unique_id,
            time_created,
            origin: DiskOrigin::Empty,
            data,
            changed: RangeSet::new(),
            managed_by: None,
            hydration: None,
            sas_active: false,
            sas_until: None,
            size_epoch: 0,
            incremental_snapshot_times: Vec::new(),
            zone: None,
            performance: None,
            upload: None,
        }
    }

    /// A disk restored from `snapshot` (`createOption: Copy`) with `data`
    /// (its pages). A new disk is a new family: its first incremental
    /// snapshot holds all its data (A1, A3), so every written page is
    /// pending. `hydration` is its background copy (C5), if it has one.
    pub(crate) fn restored(
        at: Placement,
        sku: DiskSku,
        unique_id: String,
        time_created: Instant,
        data: DiskData,
        snapshot: &Snapshot,
        hydration: Option<Progress>,
    ) -> Disk {
        Disk {
            origin: DiskOrigin::FromSnapshot {
                snapshot_id: snapshot.id(),
                snapshot_unique_id: snapshot.unique_id.clone(),
            },
            changed: RangeSet::from_ranges(snapshot.content.written_ranges()),
            hydration,
            ..Disk::empty(at, sku, unique_id, time_created, data)
        }
    }

    pub fn id(&self) -> String {
        self.at.id("disks")
    }
    pub fn size_gib(&self) -> u64 {
        self.data.size_bytes() / crate::units::GIB
    }
    /// `diskState` as Azure reports it.
    pub fn disk_state(&self) -> &'static str {
        match self.upload {
            Some(UploadStage::Ready) => return "ReadyToUpload",
            Some(UploadStage::Active) => return "ActiveUpload",
            None => {}
        }
        match (&self.managed_by, self.sas_active) {
            (_, true) => "ActiveSAS",
            (Some(_), false) => "Attached",
            (None, false) => "Unattached",
        }
    }
}

/// Where a snapshot's data came from (`creationData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOrigin {
    /// `Copy` (from a disk, or a snapshot within a region) or `CopyStart`
    /// (to another region, D1).
    pub create_option: CreateOption,
    pub source_resource_id: String,
    pub source_unique_id: String,
    /// For `CopyStart`: the source snapshot's key, so a deleted source fails the copy (D4).
    pub source_snapshot: Option<Key>,
    /// For `CopyStart`: the source snapshot's creation order, so later
    /// copies keep to creation order (D3) even once the source is deleted.
    pub source_seq: Option<u64>,
}

/// `copyCompletionError`: why a cross-region copy failed, and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyError {
    pub code: String,
    pub message: String,
    pub percent: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub at: Placement,
    pub sku: SnapshotSku,
    pub incremental: bool,
    pub unique_id: String,
    pub time_created: Instant,
    /// Creation order across the lab (ties in time are common with a frozen clock).
    pub seq: u64,
    pub origin: SnapshotOrigin,
    /// `incrementalSnapshotFamilyId` (A4); `None` for full snapshots.
    pub family_id: Option<String>,
    /// Provisioned size of the source disk (`diskSizeBytes`): not what is billed.
    pub disk_size_bytes: u64,
    pub logical_sector_size: u64,
    /// The source disk's type: decides background copy (C2) and what it can create (C6).
    pub source_sku: DiskSku,
    /// The disk's pages as they were when the snapshot was taken.
    pub content: PageMap,
    /// Pages changed since the previous snapshot of the family (A1). After a
    /// deletion in the middle, the deleted one's changes are merged in (A9).
    pub delta: RangeSet,
    /// Pages of `delta` that hold data in `content`: the billed size, kept
    /// (not recomputed per bill) and updated where `delta` changes
    /// ([`Snapshot::measured`], [`Snapshot::absorb`]).
    pub delta_written_pages: u64,
    pub size_epoch: u32,
    /// Background copy (C2) or cross-region copy (D1) still running.
    pub background: Option<Progress>,
    /// `copyCompletionError` when a CopyStart failed (D4).
    pub copy_error: Option<CopyError>,
    pub sas_active: bool,
    /// When its SAS runs out (the clock's advance revokes it then).
    pub sas_until: Option<Instant>,
    /// For CopyStart copies: the bytes that crossed regions (D2, D5).
    pub transferred_bytes: u64,
}

/// What every new snapshot is given: its place, unique id, creation order
/// and time (the lab hands out the ids and the order).
#[derive(Debug, Clone)]
pub(crate) struct Birth {
    pub at: Placement,
    pub unique_id: String,
    pub seq: u64,
    pub time: Instant,
}

impl Snapshot {
    /// A snapshot of `disk` as it is now. `delta` is what an incremental one
    /// holds (the disk's changes since its last one, A1); a full one has
    /// none and no family.
    pub(crate) fn of_disk(
        birth: Birth,
        disk: &Disk,
        incremental: bool,
        sku: SnapshotSku,
        delta: RangeSet,
    ) -> Snapshot {
        Snapshot {
            at: birth.at,
            sku,
            incremental,
            time_created: birth.time,
            seq: birth.seq,
            origin: SnapshotOrigin {
                create_option: CreateOption::Copy,
                source_resource_id: disk.id(),
                source_unique_id: disk.unique_id.clone(),
                source_snapshot: None,
                source_seq: None,
            },
            family_id: incremental.then(|| family_id_for(&disk.unique_id)),
            unique_id: birth.unique_id,
            disk_size_bytes: disk.data.size_bytes(),
            logical_sector_size: disk.data.logical_sector_size(),
            source_sku: disk.sku,
            content: disk.data.page_map().clone(),
            delta,
            delta_written_pages: 0,
            size_epoch: disk.size_epoch,
            background: None,
            copy_error: None,
            sas_active: false,
            sas_until: None,
            transferred_bytes: 0,
        }
        .measured()
    }

    /// A copy of `src` within its region (`createOption: Copy`, B5): the
    /// same data in a family of its own, all of it its delta.
    pub(crate) fn copy_of(
        birth: Birth,
        src: &Snapshot,
        incremental: bool,
        sku: SnapshotSku,
    ) -> Snapshot {
        Snapshot {
            family_id: incremental.then(|| family_id_for(&birth.unique_id)),
            incremental,
            origin: SnapshotOrigin {
                create_option: CreateOption::Copy,
                source_resource_id: src.id(),
                source_unique_id: src.unique_id.clone(),
                source_snapshot: Some(src.at.key()),
                source_seq: None,
            },
            delta: RangeSet::from_ranges(src.content.written_ranges()),
            ..Snapshot::derived(birth, src, sku)
        }
        .measured()
    }

    /// A copy of `src` to another region (`createOption: CopyStart`, D1)
    /// in family `family_id` there: `delta` is what crossed (D2), which
    /// takes `background` to copy.
    pub(crate) fn copy_to_region(
        birth: Birth,
        src: &Snapshot,
        family_id: String,
        sku: SnapshotSku,
        delta: RangeSet,
        transferred_bytes: u64,
        background: Progress,
    ) -> Snapshot {
        Snapshot {
            family_id: Some(family_id),
            origin: SnapshotOrigin {
                create_option: CreateOption::CopyStart,
                source_resource_id: src.id(),
                source_unique_id: src.unique_id.clone(),
                source_snapshot: Some(src.at.key()),
                source_seq: Some(src.seq),
            },
            delta,
            background: Some(background),
            transferred_bytes,
            ..Snapshot::derived(birth, src, sku)
        }
        .measured()
    }

    /// `src`'s data and shape under a new identity, with nothing of its
    /// state (SAS, copies) carried over; the callers set origin and delta.
    fn derived(birth: Birth, src: &Snapshot, sku: SnapshotSku) -> Snapshot {
        Snapshot {
            at: birth.at,
            unique_id: birth.unique_id,
            time_created: birth.time,
            seq: birth.seq,
            sku,
            background: None,
            copy_error: None,
            sas_active: false,
            sas_until: None,
            transferred_bytes: 0,
            ..src.clone()
        }
    }

    pub fn id(&self) -> String {
        self.at.id("snapshots")
    }

    /// `completionPercent` at `now` (where a failed copy stopped, if it failed).
    pub fn completion_percent(&self, now: Instant) -> u8 {
        match &self.copy_error {
            Some(error) => error.percent,
            None => self.background.map_or(100, |p| p.percent(now)),
        }
    }

    /// True once the data is fully there: usable for restore and SAS (C2, D1).
    pub fn is_ready(&self, now: Instant) -> bool {
        self.copy_error.is_none() && self.background.is_none_or(|p| p.is_done(now))
    }

    /// The bytes billed for this snapshot (A6): for an incremental snapshot
    /// the pages it changed that still hold data; for a full one every
    /// written page. An empty incremental snapshot of a 4096-byte-sector
    /// disk is 6 MiB (A7; the simulator applies this only when it is empty).
    pub fn used_bytes(&self) -> u64 {
        if !self.incremental {
            return self.content.written_pages() * PAGE_SIZE;
        }
        let written = self.delta_written_pages * PAGE_SIZE;
        if written == 0 && self.logical_sector_size == 4096 {
            6 * MIB
        } else {
            written
        }
    }

    /// The snapshot with its billed size worked out from `delta`: every
    /// place that makes a snapshot ends with this (a snapshot made with
    /// `..other` would otherwise carry the other's figure).
    pub fn measured(mut self) -> Snapshot {
        self.delta_written_pages = written_pages_within(&self.content, &self.delta);
        self
    }

    /// Takes in the changes of `older`, a deleted older snapshot of the
    /// family (A9). The oldest snapshot of a long-lived family holds every
    /// page changed since the family began, so nothing here walks its set:
    /// a page of `older.delta` outside `self.delta` did not change between
    /// the two, so it holds data here exactly when it did there, and
    ///   new size = mine + older's − (the shared pages, as older had them);
    /// the shared pages are found from the smaller of the two sets, and the
    /// smaller set is merged into the larger.
    pub fn absorb(&mut self, older: &Snapshot) {
        let shared = self.delta.intersection(&older.delta);
        self.delta_written_pages = self.delta_written_pages + older.delta_written_pages
            - written_pages_within(&older.content, &shared);
        self.delta.union_with(&older.delta);
    }

    /// What this snapshot would bill had it been a full snapshot.
    pub fn full_equivalent_bytes(&self) -> u64 {
        self.content.written_pages() * PAGE_SIZE
    }
}

/// Pages of `set` that hold data in `map`.
pub fn written_pages_within(map: &PageMap, set: &RangeSet) -> u64 {
    let mut pages = 0;
    for range in set.iter() {
        for (start, extent) in map.overlapping(range) {
            let overlap = PageRange::new(
                start.max(range.start),
                (start + extent.pages).min(range.end),
            );
            pages += overlap.len();
        }
    }
    pages
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vm {
    pub at: Placement,
    pub running: bool,
    /// Attached data disks, by name, in LUN order.
    pub data_disks: Vec<String>,
}

impl Vm {
    pub fn id(&self) -> String {
        self.at.id("virtualMachines")
    }
}
