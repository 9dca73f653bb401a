//! The lab's state: every resource, the simulated clock, the newest events,
//! the cost points and the ended days' usage — what the replay of the
//! operation log produces and what commands change. It knows nothing of
//! commands or of the log itself (`Lab`, in `lab.rs`, holds those and
//! derefs to this), so the layers stay one-way: `state` ← `rules`,
//! `billing`, `diff` ← `cmd` ← `lab`.

use imbl::{OrdMap, Vector};

use crate::clock::{Instant, LAB_EPOCH};
use crate::error::{EngineError, Result};
use crate::events::{Event, Outcome};
use crate::lazy::Lazy;
use crate::model::{Disk, Key, ResourceGroup, Snapshot, Subscription, Vm};
use crate::naming::uuid_from;
use crate::page_map::{PageMap, PageRange};

/// The subscription every new lab starts in.
pub const DEFAULT_SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-5a0b1ab00001";
pub const DEFAULT_SUBSCRIPTION_NAME: &str = "Snaplab Training";

#[derive(Debug, Clone, PartialEq)]
pub struct LabState {
    pub(crate) clock: Instant,
    /// Feeds deterministic unique ids.
    pub(crate) id_counter: u64,
    /// Orders snapshots by creation, even when the clock is frozen.
    pub(crate) snapshot_seq: u64,
    /// Every blob of real bytes ever written, with the pages it was written
    /// to: its extents can only be inside them (restores and copies keep
    /// offsets), which makes "is it still referenced?" cheap.
    pub(crate) blobs: OrdMap<u64, PageRange>,
    pub(crate) current_subscription: String,
    pub(crate) subscriptions: OrdMap<String, Subscription>,
    pub(crate) groups: OrdMap<(String, String), ResourceGroup>,
    pub(crate) disks: OrdMap<Key, Disk>,
    pub(crate) snapshots: OrdMap<Key, Snapshot>,
    pub(crate) vms: OrdMap<Key, Vm>,
    /// What the lab has been through: its events, cost points and ended
    /// days. Kept encoded when the lab is opened from a checkpoint, until
    /// something reads or changes it (most commands that only read do not).
    pub(crate) history: Lazy<History>,
}

/// The lab's history: bounded, so a long day does not make the lab (or
/// its checkpoint) grow.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The newest [`EVENTS_KEPT`] events (the activity log a portal pages
    /// through): older ones are dropped as new ones come, so a long day
    /// does not make the lab (or its checkpoint) grow.
    pub(crate) events: Vector<Event>,
    /// The daily cost at the sample prices after each command that changed
    /// it: the billing chart's points, kept as the log grows rather than
    /// recomputed by replaying it (derived from the log like all the rest).
    /// Past [`COST_POINTS_KEPT`], the older half is thinned to every other
    /// point: a chart has fewer pixels than a day has commands.
    pub(crate) costs: Vector<CostPoint>,
    /// Each snapshot's used size at the end of each day that has ended (the
    /// newest [`DAYS_KEPT`]): what the daily usage report bills, kept as the
    /// clock passes midnight rather than found by replaying the log.
    pub(crate) days: Vector<DayUsage>,
}
/// The snapshots as they were at the end of one day (00:00 UTC next).
#[derive(Debug, Clone, PartialEq)]
pub struct DayUsage {
    /// The day, as its first instant.
    pub day: Instant,
    /// Oldest snapshot first. Shared by the days nothing changed between.
    pub snapshots: std::sync::Arc<Vec<SnapshotUse>>,
}

/// One snapshot's use at the end of a day.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotUse {
    pub name: String,
    pub id: String,
    pub location: String,
    pub sku: crate::catalog::SnapshotSku,
    pub used_bytes: u64,
}

/// How many ended days of usage a lab keeps (a report covers at most 366).
pub const DAYS_KEPT: u64 = 400;
pub(crate) const DAY_MS: u64 = 86_400_000;

/// How many events a lab keeps (the newest).
pub const EVENTS_KEPT: usize = 2_000;
/// How many cost points a lab keeps before thinning the older half.
pub const COST_POINTS_KEPT: usize = 2_048;

/// The daily cost of every snapshot (and what full snapshots would cost)
/// from `at` on, at the sample prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostPoint {
    pub at: Instant,
    /// How many commands had run.
    pub operations: usize,
    pub daily_cost: f64,
    pub full_equivalent_daily_cost: f64,
}
impl Default for LabState {
    fn default() -> Self {
        LabState::new()
    }
}

impl LabState {
    /// An empty lab: one subscription, no resources, the clock at [`LAB_EPOCH`].
    pub fn new() -> LabState {
        let mut subscriptions = OrdMap::new();
        subscriptions.insert(
            DEFAULT_SUBSCRIPTION_ID.to_string(),
            Subscription {
                id: DEFAULT_SUBSCRIPTION_ID.to_string(),
                name: DEFAULT_SUBSCRIPTION_NAME.to_string(),
                v2_ultra_snapshots: false,
            },
        );
        LabState {
            clock: LAB_EPOCH,
            id_counter: 0,
            snapshot_seq: 0,
            blobs: OrdMap::new(),
            current_subscription: DEFAULT_SUBSCRIPTION_ID.to_string(),
            subscriptions,
            groups: OrdMap::new(),
            disks: OrdMap::new(),
            snapshots: OrdMap::new(),
            vms: OrdMap::new(),
            history: Lazy::default(),
        }
    }

    /// Notes the snapshots of `before` (the lab as the command found it)
    /// for each day the command's clock passed the end of.
    pub(crate) fn note_days(&mut self, before: &LabState) {
        let (from, to) = (before.clock.0 / DAY_MS, self.clock.0 / DAY_MS);
        if to <= from {
            return;
        }
        let mut snapshots: Vec<&Snapshot> = before.snapshots().collect();
        snapshots.sort_by_key(|s| s.seq);
        let uses = std::sync::Arc::new(
            snapshots
                .into_iter()
                .map(|s| SnapshotUse {
                    name: s.at.name.clone(),
                    id: s.id(),
                    location: s.at.location.clone(),
                    sku: s.sku,
                    used_bytes: s.used_bytes(),
                })
                .collect::<Vec<_>>(),
        );
        let days = &mut self.history.get_mut().days;
        for day in from.max(to.saturating_sub(DAYS_KEPT))..to {
            days.push_back(DayUsage {
                day: Instant(day * DAY_MS),
                snapshots: uses.clone(),
            });
        }
        while days.len() as u64 > DAYS_KEPT {
            days.pop_front();
        }
    }

    /// The ended days whose usage is kept, oldest first.
    pub fn ended_days(&self) -> &Vector<DayUsage> {
        &self.history.get().days
    }

    /// Every change of the daily cost (at the sample prices), oldest first;
    /// before the first, the cost was 0.
    pub fn cost_history(&self) -> &Vector<CostPoint> {
        &self.history.get().costs
    }

    pub(crate) fn platform_event(
        &mut self,
        time: Instant,
        operation: &str,
        resource: String,
        detail: String,
    ) {
        self.history.get_mut().events.push_back(Event {
            time,
            actor: "platform",
            operation: operation.to_string(),
            resource,
            outcome: Outcome::Succeeded { detail },
        });
    }

    /// Names the next blob of real bytes, written to `range`.
    pub(crate) fn allocate_blob(&mut self, range: PageRange) -> u64 {
        let id = self.blobs.keys().next_back().map_or(1, |last| last + 1);
        self.blobs.insert(id, range);
        id
    }

    /// The id the next blob of real bytes will get.
    pub fn next_blob_id(&self) -> u64 {
        self.blobs.keys().next_back().map_or(1, |last| last + 1)
    }

    /// Every page map in the lab: disks' and snapshots'.
    pub fn page_maps(&self) -> impl Iterator<Item = &PageMap> {
        self.disks
            .values()
            .map(|d| d.data.page_map())
            .chain(self.snapshots.values().map(|s| &s.content))
    }

    /// Does any disk or snapshot still hold pages of `blob`?
    pub fn is_blob_referenced(&self, blob: u64) -> bool {
        let Some(range) = self.blobs.get(&blob) else {
            return false;
        };
        self.page_maps()
            .any(|map| map.blobs_in(*range).contains(&blob))
    }

    /// The blobs of real bytes and the pages they were written to.
    pub fn blob_range(&self, blob: u64) -> Option<PageRange> {
        self.blobs.get(&blob).copied()
    }

    pub(crate) fn next_unique_id(&mut self) -> String {
        self.id_counter += 1;
        uuid_from(self.id_counter, 0x5A0B_1AB0)
    }

    // ---- changes, for the operations in `cmd/` -----------------------------
    //
    // Commands change the lab only through these: a lookup that fails is the
    // Azure-style "not found", never a panic, and the maps stay private to
    // the crate's persistence code.

    /// A disk of the current subscription, to change.
    pub(crate) fn disk_mut(&mut self, group: &str, name: &str) -> Result<&mut Disk> {
        let key = self.find_disk(group, name)?.at.key();
        self.disk_at_mut(&key)
    }

    /// A snapshot of the current subscription, to change.
    pub(crate) fn snapshot_mut(&mut self, group: &str, name: &str) -> Result<&mut Snapshot> {
        let key = self.find_snapshot(group, name)?.at.key();
        self.snapshot_at_mut(&key)
    }

    /// A VM of the current subscription, to change.
    pub(crate) fn vm_mut(&mut self, group: &str, name: &str) -> Result<&mut Vm> {
        let key = self.require_vm(group, name)?;
        self.vm_at_mut(&key)
    }

    /// The disk at `key` (any subscription), to change.
    pub(crate) fn disk_at_mut(&mut self, key: &Key) -> Result<&mut Disk> {
        self.disks
            .get_mut(key)
            .ok_or_else(|| not_found("disks", key))
    }

    /// The snapshot at `key` (any subscription), to change.
    pub(crate) fn snapshot_at_mut(&mut self, key: &Key) -> Result<&mut Snapshot> {
        self.snapshots
            .get_mut(key)
            .ok_or_else(|| not_found("snapshots", key))
    }

    /// The VM at `key` (any subscription), to change.
    pub(crate) fn vm_at_mut(&mut self, key: &Key) -> Result<&mut Vm> {
        self.vms
            .get_mut(key)
            .ok_or_else(|| not_found("virtualMachines", key))
    }

    /// The current subscription, to change (it always exists).
    pub(crate) fn current_subscription_mut(&mut self) -> &mut Subscription {
        self.subscriptions
            .get_mut(&self.current_subscription)
            .expect("the current subscription exists")
    }

    /// Makes subscription `id` (which exists) the current one.
    pub(crate) fn select_subscription(&mut self, id: String) {
        self.current_subscription = id;
    }

    pub(crate) fn add_subscription(&mut self, subscription: Subscription) {
        self.subscriptions
            .insert(subscription.id.clone(), subscription);
    }

    /// A new (or the same) resource group, in its subscription.
    pub(crate) fn insert_group(&mut self, group: ResourceGroup) {
        let key = (group.subscription.to_lowercase(), group.name.to_lowercase());
        self.groups.insert(key, group);
    }

    pub(crate) fn remove_group(&mut self, subscription: &str, name: &str) {
        self.groups
            .remove(&(subscription.to_lowercase(), name.to_lowercase()));
    }

    /// Adds `disk`, or replaces the one at its place.
    pub(crate) fn insert_disk(&mut self, disk: Disk) {
        self.disks.insert(disk.at.key(), disk);
    }

    pub(crate) fn remove_disk(&mut self, key: &Key) -> Option<Disk> {
        self.disks.remove(key)
    }

    /// Adds `snapshot`, or replaces the one at its place.
    pub(crate) fn insert_snapshot(&mut self, snapshot: Snapshot) {
        self.snapshots.insert(snapshot.at.key(), snapshot);
    }

    pub(crate) fn remove_snapshot(&mut self, key: &Key) -> Option<Snapshot> {
        self.snapshots.remove(key)
    }

    pub(crate) fn insert_vm(&mut self, vm: Vm) {
        self.vms.insert(vm.at.key(), vm);
    }

    pub(crate) fn remove_vm(&mut self, key: &Key) -> Option<Vm> {
        self.vms.remove(key)
    }

    /// The creation order of the next snapshot.
    pub(crate) fn next_snapshot_seq(&mut self) -> u64 {
        self.snapshot_seq += 1;
        self.snapshot_seq
    }

    /// Moves the simulated clock to `to` (never back: callers add a span).
    pub(crate) fn set_clock(&mut self, to: Instant) {
        self.clock = to;
    }

    // ---- queries ---------------------------------------------------------

    /// The simulated time now.
    pub fn now(&self) -> Instant {
        self.clock
    }
    /// Whether the history (events, cost points, days) is still encoded:
    /// nothing has read or changed it since the lab was opened.
    pub fn history_is_pending(&self) -> bool {
        self.history.is_pending()
    }
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.history.get().events.iter()
    }
    pub fn current_subscription(&self) -> &Subscription {
        &self.subscriptions[&self.current_subscription]
    }
    pub fn subscription(&self, id_or_name: &str) -> Option<&Subscription> {
        self.subscriptions.values().find(|s| {
            s.id.eq_ignore_ascii_case(id_or_name) || s.name.eq_ignore_ascii_case(id_or_name)
        })
    }
    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.values()
    }
    pub fn group(&self, subscription: &str, name: &str) -> Option<&ResourceGroup> {
        self.groups
            .get(&(subscription.to_lowercase(), name.to_lowercase()))
    }
    pub fn groups(&self) -> impl Iterator<Item = &ResourceGroup> {
        self.groups.values()
    }
    pub fn disks(&self) -> impl Iterator<Item = &Disk> {
        self.disks.values()
    }
    pub fn snapshots(&self) -> impl Iterator<Item = &Snapshot> {
        self.snapshots.values()
    }
    pub fn vms(&self) -> impl Iterator<Item = &Vm> {
        self.vms.values()
    }
    pub fn disk(&self, subscription: &str, group: &str, name: &str) -> Option<&Disk> {
        self.disks.get(&Key::new(subscription, group, name))
    }
    pub fn snapshot(&self, subscription: &str, group: &str, name: &str) -> Option<&Snapshot> {
        self.snapshots.get(&Key::new(subscription, group, name))
    }
    pub fn vm(&self, subscription: &str, group: &str, name: &str) -> Option<&Vm> {
        self.vms.get(&Key::new(subscription, group, name))
    }

    /// The disk at `key`, if there is one.
    pub fn disk_at(&self, key: &Key) -> Option<&Disk> {
        self.disks.get(key)
    }
    /// The snapshot at `key`, if there is one.
    pub fn snapshot_at(&self, key: &Key) -> Option<&Snapshot> {
        self.snapshots.get(key)
    }
    /// The VM at `key`, if there is one.
    pub fn vm_at(&self, key: &Key) -> Option<&Vm> {
        self.vms.get(key)
    }

    /// A disk in the current subscription, or the Azure-style "not found".
    pub fn find_disk(&self, group: &str, name: &str) -> Result<&Disk> {
        self.require_group(group)?;
        self.disk(&self.current_subscription, group, name)
            .ok_or_else(|| EngineError::ResourceNotFound {
                kind: "disks",
                name: name.to_string(),
                group: group.to_string(),
            })
    }

    /// A snapshot in the current subscription, or the Azure-style "not found".
    pub fn find_snapshot(&self, group: &str, name: &str) -> Result<&Snapshot> {
        self.require_group(group)?;
        self.snapshot(&self.current_subscription, group, name)
            .ok_or_else(|| EngineError::ResourceNotFound {
                kind: "snapshots",
                name: name.to_string(),
                group: group.to_string(),
            })
    }

    pub(crate) fn require_group(&self, group: &str) -> Result<&ResourceGroup> {
        self.group(&self.current_subscription, group)
            .ok_or_else(|| EngineError::ResourceGroupNotFound {
                group: group.to_string(),
            })
    }

    /// The resource group `group` of the current subscription: (name, location).
    pub fn require_group_public(&self, group: &str) -> Result<(String, String)> {
        self.require_group(group)
            .map(|g| (g.name.clone(), g.location.clone()))
    }

    /// Finds a snapshot by ARM id (any subscription) or by name in `group`.
    pub fn resolve_snapshot(&self, group: &str, id_or_name: &str) -> Result<&Snapshot> {
        match parse_arm_id(id_or_name) {
            Some(parts) if parts.kind.eq_ignore_ascii_case("snapshots") => self
                .snapshot(&parts.subscription, &parts.group, &parts.name)
                .ok_or_else(|| EngineError::ResourceNotFound {
                    kind: "snapshots",
                    name: parts.name.clone(),
                    group: parts.group.clone(),
                }),
            Some(parts) => Err(EngineError::InvalidParameter {
                reason: format!(
                    "'{id_or_name}' is a {} id; a snapshot id was expected.",
                    parts.kind
                ),
            }),
            None => self.find_snapshot(group, id_or_name),
        }
    }

    /// The snapshot a SAS URL was granted for (it must still be active), as
    /// a diff by SAS URLs needs (section 5: `x-ms-previous-snapshot-url`).
    pub fn snapshot_by_sas(&self, url: &str) -> Result<&Snapshot> {
        self.snapshots()
            .find(|s| s.sas_active && url.contains(&s.unique_id.replace('-', "")))
            .ok_or_else(|| EngineError::InvalidParameter { reason: format!("'{url}' is not an active SAS URL of a snapshot: grant access first (az snapshot grant-access).") })
    }

    /// Snapshots of one incremental family, oldest first (A3, A4).
    pub fn family(&self, family_id: &str) -> Vec<&Snapshot> {
        let mut members: Vec<&Snapshot> = self
            .snapshots()
            .filter(|s| s.family_id.as_deref() == Some(family_id))
            .collect();
        members.sort_by_key(|s| s.seq);
        members
    }
}

/// "Not found" for a resource looked up by key (names are kept lower-cased there).
fn not_found(kind: &'static str, key: &Key) -> EngineError {
    EngineError::ResourceNotFound {
        kind,
        name: key.2.clone(),
        group: key.1.clone(),
    }
}

/// The parts of an ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    pub subscription: String,
    pub group: String,
    pub kind: String,
    pub name: String,
}

/// Parses `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Compute/{kind}/{name}`.
pub fn parse_arm_id(id: &str) -> Option<ArmId> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [subs, subscription, rgs, group, providers, namespace, kind, name]
            if subs.eq_ignore_ascii_case("subscriptions")
                && rgs.eq_ignore_ascii_case("resourceGroups")
                && providers.eq_ignore_ascii_case("providers")
                && namespace.eq_ignore_ascii_case("Microsoft.Compute") =>
        {
            Some(ArmId {
                subscription: subscription.to_string(),
                group: group.to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
            })
        }
        _ => None,
    }
}
