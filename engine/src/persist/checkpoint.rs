//! Checkpoints: the lab's state at one position of the log, so that opening
//! a stored lab replays only the operations after it.
//!
//! A checkpoint is a cache of the log, never a second truth: it is written
//! from the lab the log produced, it is read only to skip replaying the log
//! up to its position, and a lab without one (or with one that cannot be
//! read) opens by replaying the whole log, to the same lab. Foreign files are
//! never trusted for it: an import drops any checkpoint it carries, replays
//! the log in full, and stores a checkpoint of its own.
//!
//! The format is a compact binary one (LEB128 integers, strings interned
//! once), read defensively: every length is checked against the bytes that
//! are left, every extent against its disk and its blob, so a damaged
//! checkpoint is refused (and the log replayed) rather than trusted.
//!
//! What makes it small is the engine's own structural sharing. Snapshots of
//! one family differ only in the pages of their `delta` (rule A1), and a
//! disk differs from its newest incremental snapshot only in its `changed`
//! pages. So a page map is written as "that earlier map, with these ranges
//! replaced by these extents"; decoding clones the earlier map (O(1), the
//! maps are persistent) and applies the ranges, which gives back the sharing
//! a replay would have built. A map whose base does not reproduce it (same
//! written pages and extent count) is written in full instead.
//!
//! Opening a lab decodes neither its page maps nor its history (issue 20
//! item 9). Format 5 keeps them in sections of their own, each with its
//! length and XXH64: opening verifies every section by one checksum pass
//! (so a damaged checkpoint is still refused at open, and the log
//! replayed), decodes the state section, and leaves each map, each change
//! set and the history pending, slices of the checkpoint's bytes decoded on
//! first access. Each map is preceded by its written-page count, so used
//! sizes need no decoding either. Format 4 (maps inline, checked number by
//! number at open, history decoded at open) is still read.

use std::collections::HashMap;

use bytes::Bytes;
use imbl::{OrdMap, Vector};

use crate::catalog::{DiskSku, SnapshotSku};
use crate::checksum::xxh64;
use crate::clock::{Instant, Span};
use crate::disk::DiskData;
use crate::events::{Event, Outcome};
use crate::lab::Lab;
use crate::lazy::Lazy;
use crate::model::{
    CopyError, Disk, DiskOrigin, Key, Placement, Progress, ResourceGroup, Snapshot, SnapshotOrigin,
    Subscription, UploadStage, Vm,
};
use crate::page_map::{PageMap, PageRange};
use crate::payload::{PatternKind, Payload};
use crate::range_set::RangeSet;
use crate::state::{CostPoint, DayUsage, History, LabState, SnapshotUse};
use crate::units::{GIB, PAGE_SIZE};

/// A checkpoint is written every this many log entries: opening replays at
/// most this many operations after it.
pub const CHECKPOINT_EVERY: usize = 1024;

const MAGIC: &[u8; 4] = b"SLCP";
/// 5: after the digest, three sections, each its length (u64), its XXH64
/// (u64) and its bytes: the state (everything but the two below, each
/// page map and change set located there by its length), the maps (their
/// bytes, in order) and the history (events, cost points, days, with
/// their own string table). A section is verified by one checksum pass at
/// open; the maps and the history are decoded only when read.
/// 4: each page map is preceded by its written-page count (read without
/// decoding the map).
/// 3: the digest of the log it summarises follows the format, in 8 fixed
/// bytes ([`digest_of`] reads it without decoding anything else).
/// 2: the journal's index of stored blobs comes first; events and cost
/// points are bounded (1 had neither). An older checkpoint is refused,
/// which only means one full replay.
const FORMAT: u64 = 5;
/// The format before sections, still read (its maps checked a number at a
/// time at open, its history decoded at open).
const FORMAT_4: u64 = 4;

thread_local! {
    static DECODED_HISTORIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many checkpoint histories (events, cost points, days) this thread
/// has decoded so far: opening decodes none; the first command that reads
/// or changes the history decodes it, once.
pub fn decoded_histories() -> u64 {
    DECODED_HISTORIES.with(std::cell::Cell::get)
}

/// The digest of the log (`super::records::chain`) a checkpoint
/// claims to summarise, read from its header alone; `None` for another
/// format or no checkpoint at all.
pub fn digest_of(bytes: &[u8]) -> Option<u64> {
    let format = u64::from(*bytes.get(4)?);
    if bytes.get(..4) != Some(MAGIC.as_slice()) || !(format == FORMAT || format == FORMAT_4) {
        return None;
    }
    Some(u64::from_le_bytes(bytes.get(5..13)?.try_into().ok()?))
}

/// A blob whose bytes are stored (its chunks), as the journal indexes it:
/// the log entry that wrote it (its position and what it said), so that the
/// operation that frees it can rewrite that entry without reading the log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBlob {
    pub blob: u64,
    pub seq: usize,
    /// The logged write (its data is `Stored { blob, length }`).
    pub logged: crate::cmd::Command,
}

impl StoredBlob {
    /// The byte length the logged write names.
    pub fn length(&self) -> Option<u64> {
        match &self.logged {
            crate::cmd::Command::Write(crate::cmd::Write {
                data: crate::cmd::WriteData::Stored { blob, length },
                ..
            }) if *blob == self.blob => Some(*length),
            _ => None,
        }
    }
}

pub fn checkpoint_key(seq: usize) -> String {
    format!("checkpoint/{seq:012}")
}

/// The log position a checkpoint key names.
pub fn checkpoint_seq(key: &str) -> Option<usize> {
    key.strip_prefix("checkpoint/")?.parse().ok()
}

// ---- writing ---------------------------------------------------------------

struct Writer {
    out: Vec<u8>,
    strings: HashMap<String, u64>,
    /// The maps section: page maps' and change sets' bytes, which the
    /// section written in `out` locates by length, in order.
    maps: Vec<u8>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: Vec::new(),
            strings: HashMap::new(),
            maps: Vec::new(),
        }
    }
    /// Moves what was written since `start` to the maps section, leaving
    /// its length in its place.
    fn divert(&mut self, start: usize) {
        let bytes = self.out.split_off(start);
        self.u(bytes.len() as u64);
        self.maps.extend_from_slice(&bytes);
    }
    /// A change set in the maps section: its range and page counts here
    /// (read without decoding it), its ranges there.
    fn lazy_ranges(&mut self, set: &RangeSet) {
        self.u(set.range_count() as u64);
        self.u(set.page_count());
        let start = self.out.len();
        self.ranges(set);
        self.divert(start);
    }
    fn u(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }
    fn b(&mut self, v: bool) {
        self.u(u64::from(v));
    }
    /// A string: its index in the table if seen before (index + 1), else 0
    /// and the text, which joins the table.
    fn s(&mut self, v: &str) {
        if let Some(&index) = self.strings.get(v) {
            self.u(index + 1);
            return;
        }
        self.u(0);
        self.u(v.len() as u64);
        self.out.extend_from_slice(v.as_bytes());
        let index = self.strings.len() as u64;
        self.strings.insert(v.to_string(), index);
    }
    fn opt_s(&mut self, v: Option<&str>) {
        self.b(v.is_some());
        if let Some(v) = v {
            self.s(v);
        }
    }
    fn f(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    fn placement(&mut self, p: &Placement) {
        self.s(&p.subscription);
        self.s(&p.group);
        self.s(&p.name);
        self.s(&p.location);
    }
    fn key(&mut self, k: &Key) {
        self.s(&k.0);
        self.s(&k.1);
        self.s(&k.2);
    }
    fn progress(&mut self, p: Option<Progress>) {
        self.b(p.is_some());
        if let Some(p) = p {
            self.u(p.started.0);
            self.u(p.duration.0);
        }
    }
    fn ranges(&mut self, set: &RangeSet) {
        self.u(set.range_count() as u64);
        let mut last = 0;
        for r in set.iter() {
            self.u(r.start - last);
            self.u(r.len());
            last = r.end;
        }
    }
    fn extent(
        &mut self,
        last_end: &mut u64,
        start: u64,
        pages: u64,
        payload: &Payload,
        origin: u64,
    ) {
        self.u(start - *last_end);
        self.u(pages);
        match payload {
            Payload::Pattern { kind, seed } => {
                self.u(match kind {
                    PatternKind::Fill => 0,
                    PatternKind::Random => 1,
                });
                self.u(*seed);
            }
            Payload::Bytes { blob, .. } => {
                self.u(2);
                self.u(*blob);
            }
        }
        self.u(origin);
        *last_end = start + pages;
    }
    /// A map in full: every extent.
    fn full_map(&mut self, map: &PageMap) {
        self.u(0);
        self.u(map.extent_count() as u64);
        let mut last_end = 0;
        for (start, extent) in map.overlapping(PageRange::new(0, u64::MAX)) {
            self.extent(
                &mut last_end,
                start,
                extent.pages,
                &extent.payload,
                extent.origin,
            );
        }
    }
    /// `map` as `bases[base]` with the pages of `changed` replaced, if that
    /// reproduces it; else in full.
    /// A page map in the maps section: its written-page count here.
    fn map(&mut self, map: &PageMap, base: Option<(usize, &PageMap)>, changed: &RangeSet) {
        self.u(map.written_pages());
        let start = self.out.len();
        self.map_bytes(map, base, changed);
        self.divert(start);
    }
    fn map_bytes(&mut self, map: &PageMap, base: Option<(usize, &PageMap)>, changed: &RangeSet) {
        let Some((index, base)) = base else {
            return self.full_map(map);
        };
        let pieces = pieces_within(map, changed);
        if apply(base.clone(), changed, pieces.iter().cloned())
            != (map.written_pages(), map.extent_count())
        {
            return self.full_map(map);
        }
        self.u(index as u64 + 1);
        self.ranges(changed);
        self.u(pieces.len() as u64);
        let mut last_end = 0;
        for (range, payload, origin) in &pieces {
            self.extent(&mut last_end, range.start, range.len(), payload, *origin);
        }
    }
}

/// The extents of `map` inside `changed`, clipped to it.
fn pieces_within(map: &PageMap, changed: &RangeSet) -> Vec<(PageRange, Payload, u64)> {
    let mut pieces = Vec::new();
    for range in changed.iter() {
        for (start, extent) in map.overlapping(range) {
            let from = start.max(range.start);
            let to = (start + extent.pages).min(range.end);
            pieces.push((
                PageRange::new(from, to),
                extent.payload.clone(),
                extent.origin + (from - start),
            ));
        }
    }
    pieces
}

/// `base` with `changed` cleared and `pieces` written: what decoding builds.
/// Returns its (written pages, extent count), the check that it is the map.
fn apply(
    mut base: PageMap,
    changed: &RangeSet,
    pieces: impl Iterator<Item = (PageRange, Payload, u64)>,
) -> (u64, usize) {
    for range in changed.iter() {
        base.clear(range);
    }
    for (range, payload, origin) in pieces {
        base.write(range, payload, origin);
    }
    (base.written_pages(), base.extent_count())
}

/// The lab's state (all but its log) as checkpoint bytes.
/// The lab alone (no stored blobs): what tests compare.
pub fn encode(lab: &Lab) -> Vec<u8> {
    encode_with(lab, &[], super::records::EMPTY_DIGEST)
}

/// The lab, the journal's index of the blobs stored with it, and the
/// digest of the log it summarises.
///
/// Every struct is destructured without `..`: a field added to the model
/// does not compile here until it is encoded (or named as not stored, as
/// the log is).
pub fn encode_with(lab: &Lab, stored: &[StoredBlob], digest: u64) -> Vec<u8> {
    let Lab {
        state,
        // The log is what the checkpoint stands in for.
        log_base: _,
        log: _,
    } = lab;
    let LabState {
        clock,
        id_counter,
        snapshot_seq,
        blobs,
        current_subscription,
        subscriptions,
        groups,
        disks,
        snapshots,
        vms,
        history,
    } = state;
    let mut w = Writer::new();
    w.u(stored.len() as u64);
    for StoredBlob { blob, seq, logged } in stored {
        w.u(*blob);
        w.u(*seq as u64);
        w.s(&serde_json::to_string(logged).expect("commands serialise"));
    }
    w.u(clock.0);
    w.u(*id_counter);
    w.u(*snapshot_seq);
    w.u(blobs.len() as u64);
    for (id, range) in blobs {
        w.u(*id);
        w.u(range.start);
        w.u(range.len());
    }
    w.s(current_subscription);
    w.u(subscriptions.len() as u64);
    for Subscription {
        id,
        name,
        v2_ultra_snapshots,
    } in subscriptions.values()
    {
        w.s(id);
        w.s(name);
        w.b(*v2_ultra_snapshots);
    }
    w.u(groups.len() as u64);
    for (
        (a, b),
        ResourceGroup {
            subscription,
            name,
            location,
        },
    ) in groups
    {
        w.s(a);
        w.s(b);
        w.s(subscription);
        w.s(name);
        w.s(location);
    }
    // Snapshots in creation order, so each can name an earlier one as its base.
    let mut ordered: Vec<(&Key, &Snapshot)> = snapshots.iter().collect();
    ordered.sort_by_key(|(_, s)| s.seq);
    let newest_of_family = encode_snapshots(&mut w, &ordered);
    encode_disks(&mut w, disks, &ordered, &newest_of_family);
    w.u(vms.len() as u64);
    for (
        key,
        Vm {
            at,
            running,
            data_disks,
        },
    ) in vms
    {
        w.key(key);
        w.placement(at);
        w.b(*running);
        w.u(data_disks.len() as u64);
        for d in data_disks {
            w.s(d);
        }
    }
    let mut h = Writer::new();
    encode_history(&mut h, history.get());
    let mut out = MAGIC.to_vec();
    out.push(FORMAT as u8);
    out.extend_from_slice(&digest.to_le_bytes());
    for section in [&w.out, &w.maps, &h.out] {
        out.extend_from_slice(&(section.len() as u64).to_le_bytes());
        out.extend_from_slice(&xxh64(section).to_le_bytes());
        out.extend_from_slice(section);
    }
    out
}

/// Snapshots in creation order; returns each family's newest (its index).
fn encode_snapshots<'a>(
    w: &mut Writer,
    ordered: &[(&Key, &'a Snapshot)],
) -> HashMap<&'a str, usize> {
    let mut newest_of_family: HashMap<&str, usize> = HashMap::new();
    w.u(ordered.len() as u64);
    for (index, (key, s)) in ordered.iter().enumerate() {
        let Snapshot {
            at,
            sku,
            incremental,
            unique_id,
            time_created,
            seq,
            origin:
                SnapshotOrigin {
                    create_option,
                    source_resource_id,
                    source_unique_id,
                    source_snapshot,
                    source_seq,
                },
            family_id,
            disk_size_bytes,
            logical_sector_size,
            source_sku,
            content,
            delta,
            delta_written_pages,
            size_epoch,
            background,
            copy_error,
            sas_active,
            sas_until,
            transferred_bytes,
        } = s;
        w.key(key);
        w.placement(at);
        w.s(sku.name());
        w.b(*incremental);
        w.s(unique_id);
        w.u(time_created.0);
        w.u(*seq);
        w.s(create_option.as_str());
        w.s(source_resource_id);
        w.s(source_unique_id);
        w.b(source_snapshot.is_some());
        if let Some(k) = source_snapshot {
            w.key(k);
        }
        w.b(source_seq.is_some());
        if let Some(seq) = source_seq {
            w.u(*seq);
        }
        w.opt_s(family_id.as_deref());
        w.u(*disk_size_bytes);
        w.u(*logical_sector_size);
        w.s(source_sku.name());
        let base = family_id
            .as_deref()
            .and_then(|f| newest_of_family.get(f))
            .map(|&i| (i, &ordered[i].1.content));
        w.map(content, base, delta);
        w.lazy_ranges(delta);
        w.u(*delta_written_pages);
        w.u(u64::from(*size_epoch));
        w.progress(*background);
        w.b(copy_error.is_some());
        if let Some(CopyError {
            code,
            message,
            percent,
        }) = copy_error
        {
            w.s(code);
            w.s(message);
            w.u(u64::from(*percent));
        }
        w.u(sas_code(*sas_active, *sas_until));
        w.u(*transferred_bytes);
        if let Some(f) = family_id.as_deref() {
            newest_of_family.insert(f, index);
        }
    }
    newest_of_family
}

fn encode_disks(
    w: &mut Writer,
    disks: &OrdMap<Key, Disk>,
    ordered: &[(&Key, &Snapshot)],
    newest_of_family: &HashMap<&str, usize>,
) {
    w.u(disks.len() as u64);
    for (key, d) in disks {
        let Disk {
            at,
            sku,
            unique_id,
            time_created,
            origin,
            data,
            changed,
            managed_by,
            hydration,
            sas_active,
            sas_until,
            size_epoch,
            incremental_snapshot_times,
            zone,
            performance,
            upload,
        } = d;
        w.key(key);
        w.placement(at);
        w.s(sku.name());
        w.s(unique_id);
        w.u(time_created.0);
        match origin {
            DiskOrigin::Empty => w.u(0),
            DiskOrigin::FromSnapshot {
                snapshot_id,
                snapshot_unique_id,
            } => {
                w.u(1);
                w.s(snapshot_id);
                w.s(snapshot_unique_id);
            }
            // An upload disk's record carries where its upload is, so the
            // stage cannot be stored on a disk of another origin.
            DiskOrigin::Upload { upload_size_bytes } => {
                w.u(2);
                w.u(*upload_size_bytes);
                w.u(match upload {
                    None => 0,
                    Some(UploadStage::Ready) => 1,
                    Some(UploadStage::Active) => 2,
                });
            }
        }
        w.u(data.size_bytes());
        w.u(data.logical_sector_size());
        // The disk's newest incremental snapshot holds all but its changed pages.
        let family = crate::naming::family_id_for(unique_id);
        let base = newest_of_family
            .get(family.as_str())
            .map(|&i| (i, &ordered[i].1.content));
        w.map(data.page_map(), base, changed);
        w.lazy_ranges(changed);
        w.opt_s(managed_by.as_deref());
        w.progress(*hydration);
        w.u(sas_code(*sas_active, *sas_until));
        w.u(u64::from(*size_epoch));
        w.u(incremental_snapshot_times.len() as u64);
        for t in incremental_snapshot_times {
            w.u(t.0);
        }
        w.opt_s(zone.as_deref());
        w.b(performance.is_some());
        if let Some((iops, mbps)) = performance {
            w.u(*iops);
            w.u(*mbps);
        }
    }
}

/// Events, cost points and ended days' usage.
fn encode_history(
    w: &mut Writer,
    History {
        events,
        costs,
        days,
    }: &History,
) {
    w.u(events.len() as u64);
    for Event {
        time,
        actor,
        operation,
        resource,
        outcome,
    } in events
    {
        w.u(time.0);
        w.s(actor);
        w.s(operation);
        w.s(resource);
        match outcome {
            Outcome::Succeeded { detail } => {
                w.u(0);
                w.s(detail);
            }
            Outcome::Refused {
                code,
                message,
                rule,
                simulated,
            } => {
                w.u(1);
                w.s(code);
                w.s(message);
                w.opt_s(rule.as_deref());
                w.b(*simulated);
            }
        }
    }
    w.u(costs.len() as u64);
    for CostPoint {
        at,
        operations,
        daily_cost,
        full_equivalent_daily_cost,
    } in costs
    {
        w.u(at.0);
        w.u(*operations as u64);
        w.f(*daily_cost);
        w.f(*full_equivalent_daily_cost);
    }
    w.u(days.len() as u64);
    let mut previous: Option<&std::sync::Arc<Vec<SnapshotUse>>> = None;
    for DayUsage { day, snapshots } in days {
        w.u(day.0);
        // Days nothing changed between share their list.
        let same = previous.is_some_and(|p| p == snapshots);
        w.b(same);
        if !same {
            w.u(snapshots.len() as u64);
            for SnapshotUse {
                name,
                id,
                location,
                sku,
                used_bytes,
            } in snapshots.iter()
            {
                w.s(name);
                w.s(id);
                w.s(location);
                w.s(sku.name());
                w.u(*used_bytes);
            }
        }
        previous = Some(snapshots);
    }
}

// ---- reading -----------------------------------------------------------------

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    strings: Vec<String>,
    /// Bytes that back-references to the string table may still copy: a
    /// reference costs a byte or two and copies its whole string, so a
    /// crafted checkpoint of references to one long string would otherwise
    /// ask for far more memory than it holds.
    copy_budget: u64,
    /// Format 5: the maps section (verified by its checksum), which page
    /// maps and change sets are cut from, in order; `None` in format 4,
    /// where they are inline and checked as they are read.
    maps: Option<Maps>,
    /// Decode every map, set and the history now, with their errors, rather
    /// than leave them pending: a checkpoint not known to be this
    /// installation's own (see `persist::seal`).
    strict: bool,
}

/// The maps section and how much of it the maps read so far have taken.
struct Maps {
    bytes: Bytes,
    at: usize,
}

impl Maps {
    /// The next `len` bytes (a map's or a change set's), shared, not copied.
    fn take(&mut self, len: u64) -> Read<Bytes> {
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.at.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or("a map runs past the maps section")?;
        let taken = self.bytes.slice(self.at..end);
        self.at = end;
        Ok(taken)
    }
}

/// What back-references may copy: generous for names (a reference to an
/// id of 100 bytes costs 1-3), bounded by the checkpoint's own size.
fn copy_budget(len: usize) -> u64 {
    (len as u64).saturating_mul(128).saturating_add(1 << 20)
}

/// The most zeros stood in for blobs freed after a checkpoint; past it the
/// checkpoint is declined (the log is replayed instead), so memory follows
/// what the file holds, never what a checkpoint claims.
const PLACEHOLDER_BUDGET: u64 = 64 << 20;

type Read<T> = std::result::Result<T, String>;

impl<'a> Reader<'a> {
    /// A reader of `bytes` from their start, its copy budget theirs.
    fn over(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            strings: Vec::new(),
            copy_budget: copy_budget(bytes.len()),
            maps: None,
            strict: false,
        }
    }
    fn u(&mut self) -> Read<u64> {
        // Opening checks every map's bytes, a number at a time: this is
        // its inner loop, so it shifts without checking each shift (only
        // the tenth byte, at bit 63, can lose bits).
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or("the checkpoint ends too early")?;
            self.at += 1;
            if shift == 63 && byte & 0x7f > 1 {
                return Err("a number in the checkpoint is too large".into());
            }
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err("a number in the checkpoint is too long".into());
            }
        }
    }
    /// A number, read inline where opening checks a map's bytes (its
    /// hottest loop): `None` for any that [`Reader::u`] would refuse, which
    /// then reads it again to say why.
    #[inline(always)]
    fn quick(&mut self) -> Option<u64> {
        let (bytes, mut at) = (self.bytes, self.at);
        let (mut v, mut shift) = (0u64, 0u32);
        loop {
            let byte = *bytes.get(at)?;
            at += 1;
            if shift == 63 && byte & 0x7f > 1 {
                return None;
            }
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                self.at = at;
                return Some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }
    #[inline(always)]
    fn num(&mut self) -> Read<u64> {
        match self.quick() {
            Some(v) => Ok(v),
            None => self.u(),
        }
    }
    /// A count of items that take at least one byte each: never more than
    /// the bytes left, so a crafted count cannot size an allocation.
    fn count(&mut self) -> Read<usize> {
        let n = self.u()?;
        if n > (self.bytes.len() - self.at) as u64 {
            return Err(format!("a count in the checkpoint ({n}) exceeds its size"));
        }
        Ok(n as usize)
    }
    fn b(&mut self) -> Read<bool> {
        match self.u()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("a flag in the checkpoint is {other}")),
        }
    }
    fn s(&mut self) -> Read<String> {
        match self.u()? {
            0 => {
                let len = self.count()?;
                let text = std::str::from_utf8(&self.bytes[self.at..self.at + len])
                    .map_err(|_| "a string in the checkpoint is not UTF-8")?
                    .to_string();
                self.at += len;
                self.strings.push(text.clone());
                Ok(text)
            }
            index => {
                let text = self
                    .strings
                    .get((index - 1) as usize)
                    .ok_or_else(|| format!("string {index} of the checkpoint is not defined"))?;
                self.copy_budget = self
                    .copy_budget
                    .checked_sub(text.len() as u64)
                    .ok_or("the checkpoint's strings copy more than it can hold")?;
                Ok(text.clone())
            }
        }
    }
    fn opt_s(&mut self) -> Read<Option<String>> {
        Ok(if self.b()? { Some(self.s()?) } else { None })
    }
    fn f(&mut self) -> Read<f64> {
        let raw = self
            .bytes
            .get(self.at..self.at + 8)
            .ok_or("the checkpoint ends too early")?;
        self.at += 8;
        Ok(f64::from_bits(u64::from_le_bytes(
            raw.try_into().expect("8 bytes"),
        )))
    }
    fn u32(&mut self) -> Read<u32> {
        u32::try_from(self.u()?).map_err(|_| "a number in the checkpoint is too large".into())
    }
    fn placement(&mut self) -> Read<Placement> {
        Ok(Placement {
            subscription: self.s()?,
            group: self.s()?,
            name: self.s()?,
            location: self.s()?,
        })
    }
    fn key(&mut self) -> Read<Key> {
        Ok(Key(self.s()?, self.s()?, self.s()?))
    }
    fn progress(&mut self) -> Read<Option<Progress>> {
        Ok(if self.b()? {
            Some(Progress {
                started: Instant(self.u()?),
                duration: Span(self.u()?),
            })
        } else {
            None
        })
    }
    /// Checks a set of ranges as [`Reader::ranges`] reads it, building
    /// nothing: its range and page counts.
    fn skip_ranges(&mut self, limit: u64) -> Read<(usize, u64)> {
        let n = self.count()?;
        let (mut last, mut pages) = (0u64, 0u64);
        for _ in 0..n {
            let start = last.checked_add(self.num()?).ok_or("a range overflows")?;
            let end = start.checked_add(self.num()?).ok_or("a range overflows")?;
            if start >= end || end > limit {
                return Err(format!("range {start}..{end} is outside its {limit} pages"));
            }
            pages += end - start;
            last = end;
        }
        Ok((n, pages))
    }
    /// A set of ranges, checked but not built: a pending set holding a copy
    /// of its bytes, built on first access.
    fn lazy_ranges(&mut self, limit: u64) -> Read<RangeSet> {
        if self.maps.is_some() {
            return self.located_ranges(limit);
        }
        let start = self.at;
        let (count, pages) = self.skip_ranges(limit)?;
        if count == 0 {
            return Ok(RangeSet::new());
        }
        let section = Bytes::copy_from_slice(&self.bytes[start..self.at]);
        Ok(RangeSet::pending(count, pages, move || {
            Reader::over(&section)
                .ranges(limit)
                .expect("a set's bytes are checked when its checkpoint is opened")
        }))
    }
    /// Format 5: a change set's counts, here, and its bytes, cut from the
    /// maps section (verified by its checksum), decoded on first access.
    fn located_ranges(&mut self, limit: u64) -> Read<RangeSet> {
        let count = usize::try_from(self.u()?).map_err(|_| "a range count is too large")?;
        let pages = self.u()?;
        let len = self.u()?;
        let section = self.maps.as_mut().expect("format 5").take(len)?;
        if count == 0 {
            return Ok(RangeSet::new());
        }
        if self.strict {
            return Reader::over(&section).ranges(limit);
        }
        Ok(RangeSet::pending(count, pages, move || {
            Reader::over(&section)
                .ranges(limit)
                .unwrap_or_else(|e| unreadable("a change set", &e))
        }))
    }
    fn ranges(&mut self, limit: u64) -> Read<RangeSet> {
        let mut set = RangeSet::new();
        let mut last = 0u64;
        for _ in 0..self.count()? {
            let start = last.checked_add(self.u()?).ok_or("a range overflows")?;
            let end = start.checked_add(self.u()?).ok_or("a range overflows")?;
            if start >= end || end > limit {
                return Err(format!("range {start}..{end} is outside its {limit} pages"));
            }
            set.insert(PageRange::new(start, end));
            last = end;
        }
        Ok(set)
    }
    /// Reads a map's extents, checked against its pages and blobs, and
    /// hands each to `each`.
    fn extents(
        &mut self,
        limit: u64,
        blobs: &OrdMap<u64, Bytes>,
        mut each: impl FnMut(PageRange, Payload, u64),
    ) -> Read<()> {
        let n = self.count()?;
        let mut last_end = 0u64;
        for _ in 0..n {
            let start = last_end
                .checked_add(self.num()?)
                .ok_or("an extent overflows")?;
            let pages = self.num()?;
            let end = start.checked_add(pages).ok_or("an extent overflows")?;
            if pages == 0 || end > limit {
                return Err(format!(
                    "extent {start}..{end} is outside its {limit} pages"
                ));
            }
            let payload = match self.num()? {
                0 => Payload::pattern(PatternKind::Fill, self.num()?),
                1 => Payload::pattern(PatternKind::Random, self.num()?),
                2 => {
                    let blob = self.num()?;
                    let data = blobs
                        .get(&blob)
                        .ok_or_else(|| format!("blob {blob} is not in the lab"))?;
                    Payload::bytes(blob, data.clone())
                }
                other => return Err(format!("payload kind {other} is unknown")),
            };
            let origin = self.num()?;
            if let Payload::Bytes { data, .. } = &payload {
                let held = data.len() as u64 / PAGE_SIZE;
                if origin.checked_add(pages).is_none_or(|e| e > held) {
                    return Err(format!(
                        "extent {start}..{end} reads past the end of its blob"
                    ));
                }
            }
            each(PageRange::new(start, end), payload, origin);
            last_end = end;
        }
        Ok(())
    }
    /// A page map, checked but not decoded: a pending map holding a copy
    /// of its bytes, decoded on first access (by [`build_map`], which cannot
    /// fail on bytes this accepted).
    fn map(
        &mut self,
        limit: u64,
        blobs: &OrdMap<u64, Bytes>,
        earlier: &[Snapshot],
    ) -> Read<PageMap> {
        let written = self.u()?;
        if self.maps.is_some() {
            return self.located_map(written, limit, blobs, earlier);
        }
        let start = self.at;
        let base = base_map(self.u()?, earlier)?;
        let mut changed = 0;
        if base.is_some() {
            changed = self.skip_ranges(limit)?.1;
        }
        let mut pages = 0u64;
        self.extents(limit, blobs, |range, _, _| pages += range.len())?;
        // A full map's extents are its written pages; a map over a base
        // keeps at most the base's pages outside its changed ranges.
        let plausible = match &base {
            None => pages == written,
            Some(base) => {
                pages <= changed && pages <= written && written <= pages + base.written_pages()
            }
        };
        if !plausible {
            return Err(format!("a page map claims {written} written pages"));
        }
        let section = Bytes::copy_from_slice(&self.bytes[start..self.at]);
        let blobs = blobs.clone();
        Ok(PageMap::pending(written, move || {
            build_map(&section, limit, &blobs, base.as_ref())
                .expect("a map's bytes are checked when its checkpoint is opened")
        }))
    }
}

impl Reader<'_> {
    /// Format 5: a map's bytes, cut from the maps section (verified by its
    /// checksum), decoded on first access; only the map it is stored over
    /// is found now (its first number), so that the pending map holds it.
    fn located_map(
        &mut self,
        written: u64,
        limit: u64,
        blobs: &OrdMap<u64, Bytes>,
        earlier: &[Snapshot],
    ) -> Read<PageMap> {
        let len = self.u()?;
        let section = self.maps.as_mut().expect("format 5").take(len)?;
        let base = base_map(Reader::over(&section).u()?, earlier)?;
        if self.strict {
            let map = build_map(&section, limit, blobs, base.as_ref())?;
            if map.written_pages() != written {
                return Err(format!("a page map claims {written} written pages"));
            }
            return Ok(map);
        }
        let blobs = blobs.clone();
        Ok(PageMap::pending(written, move || {
            build_map(&section, limit, &blobs, base.as_ref())
                .unwrap_or_else(|e| unreadable("a page map", &e))
        }))
    }
}

/// The map a map is stored over: `index` (from 1) among the snapshots
/// decoded so far, or none (0).
fn base_map(index: u64, earlier: &[Snapshot]) -> Read<Option<PageMap>> {
    match index {
        0 => Ok(None),
        index => earlier
            .get((index - 1) as usize)
            .map(|s| Some(s.content.clone()))
            .ok_or_else(|| format!("base map {index} is not defined")),
    }
}

/// A section that passed its checksum at open and still cannot be decoded
/// was not written by Snaplab (a checkpoint made by hand to pass it): the
/// program stops rather than go on with a wrong lab.
fn unreadable(what: &str, why: &str) -> ! {
    panic!("{what} of the lab's checkpoint passed its checksum but cannot be read ({why}); the checkpoint was not written by Snaplab: delete its checkpoint/ record to replay the log")
}

/// Decodes a map's bytes (after its written-page count), over `base` if it
/// names one: clones the base (which decodes it if it is pending) and
/// replaces the changed ranges.
fn build_map(
    section: &[u8],
    limit: u64,
    blobs: &OrdMap<u64, Bytes>,
    base: Option<&PageMap>,
) -> Read<PageMap> {
    let mut r = Reader::over(section);
    r.u()?;
    let mut map = match base {
        None => PageMap::new(),
        Some(base) => {
            let mut map = base.clone();
            for range in r.ranges(limit)?.iter() {
                map.clear(range);
            }
            map
        }
    };
    r.extents(limit, blobs, |range, payload, origin| {
        map.write(range, payload, origin)
    })?;
    Ok(map)
}

/// The strings the engine keeps as `&'static str`.
fn known(text: &str, options: &[&'static str]) -> Read<&'static str> {
    options
        .iter()
        .find(|o| **o == text)
        .copied()
        .ok_or_else(|| format!("{text:?} is not one of {options:?}"))
}

/// Rebuilds a lab (with an empty log) from checkpoint bytes. `blob` gives
/// the bytes of each blob still stored; a blob freed after the checkpoint
/// was written reads as zeros, which no later position can see (the
/// operation that freed it left no page holding it).
pub fn decode(bytes: &[u8], stored: impl Fn(u64) -> Option<Bytes>) -> Read<Lab> {
    decode_with(bytes, |blob, _| Ok(stored(blob))).map(|(lab, _)| lab)
}

/// Decodes a checkpoint and the journal's index of stored blobs. `stored`
/// is asked for the bytes of each indexed blob (with the length its log
/// entry names): `None` when its chunks are gone (freed after the
/// checkpoint was written). Blobs not indexed were freed before it: no page
/// of the checkpointed lab may hold them.
pub fn decode_with(
    bytes: &[u8],
    stored: impl Fn(u64, u64) -> Read<Option<Bytes>>,
) -> Read<(Lab, Vec<StoredBlob>)> {
    decode_shared(&Bytes::copy_from_slice(bytes), stored)
}

/// [`decode_with`] over bytes the lab may keep: the maps and the history
/// it leaves encoded are slices of them, not copies (opening a long day's
/// lab would otherwise copy most of its checkpoint into fresh memory).
pub fn decode_shared(
    bytes: &Bytes,
    stored: impl Fn(u64, u64) -> Read<Option<Bytes>>,
) -> Read<(Lab, Vec<StoredBlob>)> {
    decode_checked(bytes, stored, false)
}

/// [`decode_shared`], decoding every part now and refusing the checkpoint
/// if any cannot be read: for a checkpoint whose sections pass their
/// checksums but that this installation did not seal (a lab file from
/// elsewhere, or forged), so that a malformed part is a cache miss (the log
/// is replayed) and never a stop when first read.
pub fn decode_strict(
    bytes: &Bytes,
    stored: impl Fn(u64, u64) -> Read<Option<Bytes>>,
) -> Read<(Lab, Vec<StoredBlob>)> {
    decode_checked(bytes, stored, true)
}

fn decode_checked(
    bytes: &Bytes,
    stored: impl Fn(u64, u64) -> Read<Option<Bytes>>,
    strict: bool,
) -> Read<(Lab, Vec<StoredBlob>)> {
    let (mut r, history) = open_sections(bytes)?;
    r.strict = strict;
    let mut placeholders = PLACEHOLDER_BUDGET;
    let mut index = Vec::new();
    for _ in 0..r.count()? {
        let blob = r.u()?;
        let seq = usize::try_from(r.u()?).map_err(|_| "a log position is too large")?;
        let logged = serde_json::from_str(&r.s()?)
            .map_err(|e| format!("stored blob {blob}'s log entry is unreadable: {e}"))?;
        let entry = StoredBlob { blob, seq, logged };
        if entry.length().is_none() {
            return Err(format!("stored blob {blob}'s log entry does not store it"));
        }
        index.push(entry);
    }
    let indexed: HashMap<u64, u64> = index
        .iter()
        .map(|s| (s.blob, s.length().expect("checked")))
        .collect();
    let mut lab = LabState::new();
    lab.clock = Instant(r.u()?);
    lab.id_counter = r.u()?;
    lab.snapshot_seq = r.u()?;
    lab.blobs = OrdMap::new();
    let mut blobs = OrdMap::new();
    for _ in 0..r.count()? {
        let id = r.u()?;
        let start = r.u()?;
        let pages = r.u()?;
        let end = start.checked_add(pages).ok_or("a blob's range overflows")?;
        if pages == 0 || pages > (u64::MAX / PAGE_SIZE) {
            return Err(format!("blob {id} has {pages} pages"));
        }
        lab.blobs.insert(id, PageRange::new(start, end));
        let Some(&length) = indexed.get(&id) else {
            // Freed before the checkpoint: nothing in it can hold its pages.
            continue;
        };
        if length != pages * PAGE_SIZE {
            return Err(format!(
                "blob {id} has {pages} pages, its log entry says {length} bytes"
            ));
        }
        let data = match stored(id, length)? {
            Some(data) if data.len() as u64 == pages * PAGE_SIZE => data,
            Some(data) => {
                return Err(format!(
                    "blob {id} holds {} bytes, the checkpoint says {}",
                    data.len(),
                    pages * PAGE_SIZE
                ))
            }
            // Freed later in the log: a placeholder of the right size, sized
            // by a blob range the lab itself bounds (disks are at most 64 TiB),
            // that the tail's replay drops again. Bounded below by usize.
            None => {
                placeholders = placeholders
                    .checked_sub(pages * PAGE_SIZE)
                    .ok_or_else(|| format!("blob {id} is too large to stand in for"))?;
                Bytes::from(vec![0u8; (pages * PAGE_SIZE) as usize])
            }
        };
        blobs.insert(id, data);
    }
    lab.current_subscription = r.s()?;
    lab.subscriptions = OrdMap::new();
    for _ in 0..r.count()? {
        let s = Subscription {
            id: r.s()?,
            name: r.s()?,
            v2_ultra_snapshots: r.b()?,
        };
        lab.subscriptions.insert(s.id.clone(), s);
    }
    if !lab.subscriptions.contains_key(&lab.current_subscription) {
        return Err("its current subscription is not one of its subscriptions".into());
    }
    for _ in 0..r.count()? {
        let key = (r.s()?, r.s()?);
        let g = ResourceGroup {
            subscription: r.s()?,
            name: r.s()?,
            location: r.s()?,
        };
        lab.groups.insert(key, g);
    }

    let (keys, snapshots) = decode_snapshots(&mut r, &blobs)?;
    decode_disks(&mut r, &blobs, &snapshots, &mut lab)?;
    lab.snapshots = keys.into_iter().zip(snapshots).collect();
    decode_vms(&mut r, &mut lab)?;
    lab.history = match history {
        None => Lazy::ready(decode_history(&mut r)?),
        Some(section) if strict => {
            let mut h = Reader::over(&section);
            let history = decode_history(&mut h)?;
            if h.at != section.len() {
                return Err("bytes follow the history".into());
            }
            Lazy::ready(history)
        }
        Some(section) => Lazy::pending(move || {
            DECODED_HISTORIES.with(|n| n.set(n.get() + 1));
            let mut r = Reader::over(&section);
            decode_history(&mut r)
                .and_then(|history| match r.at == section.len() {
                    true => Ok(history),
                    false => Err("bytes follow the history".into()),
                })
                .unwrap_or_else(|e| unreadable("the history", &e))
        }),
    };
    if r.at != r.bytes.len() {
        return Err(format!(
            "{} bytes follow the checkpoint",
            r.bytes.len() - r.at
        ));
    }
    if r.maps.as_ref().is_some_and(|m| m.at != m.bytes.len()) {
        return Err("bytes follow the last map".into());
    }
    Ok((
        Lab {
            state: lab,
            log_base: 0,
            log: Default::default(),
        },
        index,
    ))
}

/// A checkpoint's header read (its magic, format and digest, which the
/// journal checks against the log before decoding): a reader of what
/// follows, and in format 5 the history section. Each format-5 section is
/// verified by its checksum here, so a damaged one is refused now (and the
/// log replayed) and what is decoded later reads only verified bytes.
fn open_sections(bytes: &Bytes) -> Read<(Reader<'_>, Option<Bytes>)> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err("it does not start with SLCP".into());
    }
    let mut r = Reader::over(bytes);
    r.at = 4;
    let format = r.u()?;
    if format != FORMAT && format != FORMAT_4 {
        return Err(format!(
            "it has format {format}; this Snaplab reads {FORMAT_4} and {FORMAT}"
        ));
    }
    let mut at =
        r.at.checked_add(8)
            .filter(|&at| at <= bytes.len())
            .ok_or("the checkpoint ends too early")?;
    if format == FORMAT_4 {
        r.at = at;
        return Ok((r, None));
    }
    let mut sections: Vec<std::ops::Range<usize>> = Vec::with_capacity(3);
    for name in ["state", "maps", "history"] {
        let head = bytes
            .get(at..at + 16)
            .ok_or_else(|| format!("its {name} section ends too early"))?;
        let len = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        let sum = u64::from_le_bytes(head[8..].try_into().expect("8 bytes"));
        let section = usize::try_from(len)
            .ok()
            .and_then(|len| bytes.get(at + 16..(at + 16).checked_add(len)?))
            .ok_or_else(|| format!("its {name} section ends too early"))?;
        if xxh64(section) != sum {
            return Err(format!("its {name} section does not match its checksum"));
        }
        sections.push(at + 16..at + 16 + section.len());
        at += 16 + section.len();
    }
    if at != bytes.len() {
        return Err(format!("{} bytes follow the checkpoint", bytes.len() - at));
    }
    let mut r = Reader::over(&bytes[sections[0].clone()]);
    r.maps = Some(Maps {
        bytes: bytes.slice(sections[1].clone()),
        at: 0,
    });
    Ok((r, Some(bytes.slice(sections[2].clone()))))
}

/// The snapshots, in creation order (a map may be stored on an earlier one's).
fn decode_snapshots(r: &mut Reader, blobs: &OrdMap<u64, Bytes>) -> Read<(Vec<Key>, Vec<Snapshot>)> {
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut keys = Vec::new();
    for _ in 0..r.count()? {
        let key = r.key()?;
        let at = r.placement()?;
        let sku = SnapshotSku::parse(&r.s()?).map_err(|e| e.to_string())?;
        let incremental = r.b()?;
        let unique_id = r.s()?;
        let time_created = Instant(r.u()?);
        let seq = r.u()?;
        let origin = SnapshotOrigin {
            create_option: known(&r.s()?, &["Copy", "CopyStart"])?.parse()?,
            source_resource_id: r.s()?,
            source_unique_id: r.s()?,
            source_snapshot: if r.b()? { Some(r.key()?) } else { None },
            source_seq: if r.b()? { Some(r.u()?) } else { None },
        };
        let family_id = r.opt_s()?;
        let disk_size_bytes = r.u()?;
        let logical_sector_size = r.u()?;
        let source_sku = DiskSku::parse(&r.s()?).map_err(|e| e.to_string())?;
        let limit = disk_size_bytes / PAGE_SIZE;
        let content = r.map(limit, blobs, &snapshots)?;
        let delta = r.lazy_ranges(limit)?;
        let delta_written_pages = r.u()?;
        if delta_written_pages > delta.page_count() {
            return Err(format!(
                "snapshot {} bills more pages than it changed",
                at.name
            ));
        }
        let snapshot = Snapshot {
            at,
            sku,
            incremental,
            unique_id,
            time_created,
            seq,
            origin,
            family_id,
            disk_size_bytes,
            logical_sector_size,
            source_sku,
            content,
            delta,
            delta_written_pages,
            size_epoch: r.u32()?,
            background: r.progress()?,
            copy_error: if r.b()? {
                Some(CopyError {
                    code: r.s()?,
                    message: r.s()?,
                    percent: u8::try_from(r.u()?).map_err(|_| "a percent is too large")?,
                })
            } else {
                None
            },
            sas_active: false,
            sas_until: None,
            transferred_bytes: 0,
        };
        let mut snapshot = snapshot;
        (snapshot.sas_active, snapshot.sas_until) = sas_decode(r.u()?);
        snapshot.transferred_bytes = r.u()?;
        keys.push(key);
        snapshots.push(snapshot);
    }

    Ok((keys, snapshots))
}

/// A SAS in one number, so a checkpoint without expiry times (format 4 and
/// 5 before them, which wrote the bool as 0 or 1) reads the same: 0 none,
/// 1 active with no expiry kept, then `2 + 2t` active until `t` and
/// `3 + 2t` a write SAS (not counted active) until `t`.
fn sas_code(active: bool, until: Option<Instant>) -> u64 {
    match until {
        None => u64::from(active),
        Some(t) => 2 + 2 * t.0 + u64::from(!active),
    }
}

fn sas_decode(code: u64) -> (bool, Option<Instant>) {
    match code {
        0 | 1 => (code == 1, None),
        n => ((n - 2) % 2 == 0, Some(Instant((n - 2) / 2))),
    }
}

/// The disks; their maps may be stored on a snapshot's.
fn decode_disks(
    r: &mut Reader,
    blobs: &OrdMap<u64, Bytes>,
    snapshots: &[Snapshot],
    lab: &mut LabState,
) -> Read<()> {
    for _ in 0..r.count()? {
        let key = r.key()?;
        let at = r.placement()?;
        let sku = DiskSku::parse(&r.s()?).map_err(|e| e.to_string())?;
        let unique_id = r.s()?;
        let time_created = Instant(r.u()?);
        let mut upload = None;
        let origin = match r.u()? {
            0 => DiskOrigin::Empty,
            1 => DiskOrigin::FromSnapshot {
                snapshot_id: r.s()?,
                snapshot_unique_id: r.s()?,
            },
            2 => {
                let upload_size_bytes = r.u()?;
                upload = match r.u()? {
                    0 => None,
                    1 => Some(UploadStage::Ready),
                    2 => Some(UploadStage::Active),
                    other => return Err(format!("upload stage {other} is unknown")),
                };
                DiskOrigin::Upload { upload_size_bytes }
            }
            other => return Err(format!("disk origin {other} is unknown")),
        };
        let size_bytes = r.u()?;
        let logical_sector_size = r.u()?;
        // Whole pages: whole GiB, or an upload's size (a VHD and its footer)
        // on a disk made for upload and on disks restored from its snapshots.
        let valid_size = size_bytes % PAGE_SIZE == 0
            && size_bytes > 0
            && size_bytes <= crate::units::MAX_LARGE_DISK_SIZE_GIB * GIB;
        if !valid_size {
            return Err(format!(
                "disk {} has a size ({size_bytes} bytes) no disk of its origin can have",
                at.name
            ));
        }
        let map = r.map(size_bytes / PAGE_SIZE, blobs, snapshots)?;
        let data = DiskData::with_size_bytes(size_bytes, logical_sector_size, map)
            .map_err(|e| e.to_string())?;
        let changed = r.lazy_ranges(size_bytes / PAGE_SIZE)?;
        let managed_by = r.opt_s()?;
        let hydration = r.progress()?;
        let (sas_active, sas_until) = sas_decode(r.u()?);
        let disk = Disk {
            at,
            sku,
            unique_id,
            time_created,
            origin,
            data,
            changed,
            managed_by,
            hydration,
            sas_active,
            sas_until,
            size_epoch: r.u32()?,
            incremental_snapshot_times: {
                let n = r.count()?;
                let mut times = Vec::with_capacity(n);
                for _ in 0..n {
                    times.push(Instant(r.u()?));
                }
                times
            },
            zone: r.opt_s()?,
            performance: if r.b()? { Some((r.u()?, r.u()?)) } else { None },
            upload,
        };
        lab.disks.insert(key, disk);
    }
    Ok(())
}

/// The VMs and the disks attached to them.
fn decode_vms(r: &mut Reader, lab: &mut LabState) -> Read<()> {
    for _ in 0..r.count()? {
        let key = r.key()?;
        let vm = Vm {
            at: r.placement()?,
            running: r.b()?,
            data_disks: {
                let n = r.count()?;
                let mut disks = Vec::with_capacity(n);
                for _ in 0..n {
                    disks.push(r.s()?);
                }
                disks
            },
        };
        lab.vms.insert(key, vm);
    }

    Ok(())
}

/// The newest events, the cost points and the ended days' usage.
fn decode_history(r: &mut Reader) -> Read<History> {
    let mut events = Vector::new();
    for _ in 0..r.count()? {
        let time = Instant(r.u()?);
        let actor = known(&r.s()?, &["user", "platform"])?;
        let operation = r.s()?;
        let resource = r.s()?;
        let outcome = match r.u()? {
            0 => Outcome::Succeeded { detail: r.s()? },
            1 => Outcome::Refused {
                code: r.s()?,
                message: r.s()?,
                rule: r.opt_s()?,
                simulated: r.b()?,
            },
            other => return Err(format!("event outcome {other} is unknown")),
        };
        events.push_back(Event {
            time,
            actor,
            operation,
            resource,
            outcome,
        });
    }
    let mut costs = Vector::new();
    for _ in 0..r.count()? {
        costs.push_back(CostPoint {
            at: Instant(r.u()?),
            operations: usize::try_from(r.u()?).map_err(|_| "an operation count is too large")?,
            daily_cost: r.f()?,
            full_equivalent_daily_cost: r.f()?,
        });
    }
    let mut days: Vector<DayUsage> = Vector::new();
    for _ in 0..r.count()? {
        let day = Instant(r.u()?);
        let snapshots = if r.b()? {
            days.back()
                .map(|d| d.snapshots.clone())
                .ok_or("the first day says it is the same as the one before")?
        } else {
            let n = r.count()?;
            let mut uses = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                uses.push(SnapshotUse {
                    name: r.s()?,
                    id: r.s()?,
                    location: r.s()?,
                    sku: SnapshotSku::parse(&r.s()?).map_err(|e| e.to_string())?,
                    used_bytes: r.u()?,
                });
            }
            std::sync::Arc::new(uses)
        };
        days.push_back(DayUsage { day, snapshots });
    }
    Ok(History {
        events,
        costs,
        days,
    })
}

#[cfg(test)]
mod tests {

    fn read(bytes: &[u8]) -> Result<(u64, usize), String> {
        let mut r = super::Reader::over(bytes);
        r.u().map(|v| (v, r.at))
    }

    #[test]
    fn numbers_read_back_and_bad_ones_are_refused() {
        for v in [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut w = super::Writer::new();
            w.u(v);
            assert_eq!(read(&w.out), Ok((v, w.out.len())), "{v}");
        }
        // u64::MAX is nine 0xff bytes and a 1; a 2 there would lose a bit.
        let mut too_large = vec![0xff; 9];
        too_large.push(2);
        assert_eq!(
            read(&too_large).unwrap_err(),
            "a number in the checkpoint is too large"
        );
        let mut too_long = vec![0xff; 9];
        too_long.extend([0x81, 0]);
        assert_eq!(
            read(&too_long).unwrap_err(),
            "a number in the checkpoint is too long"
        );
        assert_eq!(read(&[0x80]).unwrap_err(), "the checkpoint ends too early");
    }
}
