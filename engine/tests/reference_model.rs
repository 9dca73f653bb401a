//! The engine against a plain reference model (the redb idea).
//!
//! The model keeps every page of every disk and a full copy of every
//! snapshot, with the operation number that last changed each page. From
//! that naive picture it predicts what the engine must answer: restores equal
//! the snapshot's bytes, diffs list exactly the pages changed between two
//! snapshots (written → PageRange, cleared → ClearRange), used sizes and
//! billing count exactly the written pages changed since the previous
//! snapshot still alive, B1 refuses the 8th snapshot in 5 minutes, and a
//! refused operation leaves the lab exactly as it was.
//!
//! It also copies snapshots to another region (D1–D4: one copy of a family
//! at a time, in creation order, only the changes since the last copy
//! there, and a copy fails when its source is deleted mid-copy), stores and
//! reopens the lab (through the journal and a checkpoint, as a reload does),
//! and undoes and redoes, before and after a reload: an undone position is
//! the lab as it was there, unless history said first that bytes it needs
//! are no longer kept (`timeline::bytes_not_kept`); never silent zeros.
//!
//! 10,000 sequences of up to 40 operations by default;
//! `SNAPLAB_MODEL_CASES` and `SNAPLAB_MODEL_OPS` run more, and longer ones
//! (150,000 of up to 100 found the two copy bugs fixed in `copy_start.rs`).

mod common;

use snaplab_engine::cmd;
use std::collections::BTreeMap;

use proptest::prelude::*;
use snaplab_engine::billing::PriceTable;
use snaplab_engine::clock::Span;
use snaplab_engine::diff::{PageRangesRequest, RangeKind};
use snaplab_engine::store;
use snaplab_engine::units::GIB;
use snaplab_engine::{Command, Lab, WriteData};

use common::RG;

/// Operations touch pages 0..PAGES of each disk.
const PAGES: u64 = 48;
const PAGE: usize = 512;

#[derive(Debug, Clone)]
enum Op {
    Write {
        disk: usize,
        page: u64,
        len: u64,
        seed: u8,
    },
    /// Rewrites the bytes already there (A8: still a change).
    Rewrite {
        disk: usize,
        page: u64,
        len: u64,
    },
    Clear {
        disk: usize,
        page: u64,
        len: u64,
    },
    Snapshot {
        disk: usize,
        incremental: bool,
    },
    DeleteSnapshot {
        index: usize,
    },
    Restore {
        index: usize,
    },
    Resize {
        disk: usize,
        grow: u64,
    },
    DeleteDisk {
        disk: usize,
    },
    Advance {
        seconds: u64,
    },
    /// Invalid on purpose: must be refused and change nothing.
    Misaligned {
        disk: usize,
        offset: u64,
    },
    PastEnd {
        disk: usize,
    },
    Shrink {
        disk: usize,
    },
    /// `--copy-start` of snapshot `index` to North Europe (D1–D4).
    CopyToRegion {
        index: usize,
    },
    /// Store the lab and open it again (a reload of the page).
    Reload,
    /// Undo the last operation (the lab replayed to the position before it).
    Undo,
    /// Redo what the last undo took back.
    Redo,
}

fn op() -> impl Strategy<Value = Op> {
    let disk = 0usize..4;
    prop_oneof![
        6 => (disk.clone(), 0..PAGES, 1u64..8, any::<u8>()).prop_map(|(disk, page, len, seed)| Op::Write { disk, page, len, seed }),
        2 => (disk.clone(), 0..PAGES, 1u64..8).prop_map(|(disk, page, len)| Op::Rewrite { disk, page, len }),
        2 => (disk.clone(), 0..PAGES, 1u64..8).prop_map(|(disk, page, len)| Op::Clear { disk, page, len }),
        5 => (disk.clone(), prop::bool::weighted(0.85)).prop_map(|(disk, incremental)| Op::Snapshot { disk, incremental }),
        2 => (0usize..16).prop_map(|index| Op::DeleteSnapshot { index }),
        2 => (0usize..16).prop_map(|index| Op::Restore { index }),
        1 => (disk.clone(), prop_oneof![Just(1u64), Just(4096u64)]).prop_map(|(disk, grow)| Op::Resize { disk, grow }),
        1 => disk.clone().prop_map(|disk| Op::DeleteDisk { disk }),
        2 => prop_oneof![Just(0u64), Just(10), Just(61), Just(301)].prop_map(|seconds| Op::Advance { seconds }),
        1 => (disk.clone(), 1u64..512).prop_map(|(disk, offset)| Op::Misaligned { disk, offset }),
        1 => disk.clone().prop_map(|disk| Op::PastEnd { disk }),
        1 => disk.prop_map(|disk| Op::Shrink { disk }),
        3 => (0usize..16).prop_map(|index| Op::CopyToRegion { index }),
        1 => Just(Op::Reload),
        2 => Just(Op::Undo),
        1 => Just(Op::Redo),
    ]
}

/// A page as the model knows it: its bytes (None = unwritten) and the
/// operation number that last wrote or cleared it.
#[derive(Debug, Clone, PartialEq)]
struct Page {
    bytes: Option<Vec<u8>>,
    version: u64,
}

#[derive(Debug, Clone)]
struct RefDisk {
    name: String,
    region: &'static str,
    family: u64,
    size_gib: u64,
    epoch: u32,
    pages: BTreeMap<u64, Page>,
    snapshot_times: Vec<u64>,
}

#[derive(Debug, Clone)]
struct RefSnapshot {
    name: String,
    region: &'static str,
    /// None for a full snapshot.
    family: Option<u64>,
    /// Creation order.
    seq: u64,
    /// When its pages were taken (a copy: when its source's were).
    taken: u64,
    epoch: u32,
    pages: BTreeMap<u64, Page>,
    copy: Option<RefCopy>,
}

/// A copy to another region.
#[derive(Debug, Clone)]
struct RefCopy {
    source: String,
    source_family: u64,
    /// The source's creation order (D3 keeps copies in it).
    source_seq: u64,
    /// When it completes, in the model's milliseconds.
    done_at: u64,
    /// It is billed for the pages changed after this (`taken` of the
    /// previous copy's source); `None`: the whole snapshot crossed (the
    /// first copy, or the previous copy's source no longer exists).
    since: Option<u64>,
}

#[derive(Default, Clone)]
struct Model {
    disks: Vec<Option<RefDisk>>,
    snapshots: Vec<RefSnapshot>,
    next_family: u64,
    now_ms: u64,
    op_seq: u64,
    names: u64,
    /// Source family → its family in North Europe.
    copy_families: BTreeMap<u64, u64>,
}

const TARGET: &str = "northeurope";

fn fill(seed: u8, page: u64) -> Vec<u8> {
    (0..PAGE)
        .map(|i| {
            seed.wrapping_add((page as u8).wrapping_mul(31))
                .wrapping_add(i as u8)
        })
        .collect()
}

impl Model {
    fn disk_name(&self, index: usize) -> Option<String> {
        self.disks
            .get(index)
            .and_then(|d| d.as_ref())
            .map(|d| d.name.clone())
    }

    /// The snapshot of `family` alive just before `seq`.
    fn previous_alive(&self, family: u64, seq: u64) -> Option<&RefSnapshot> {
        self.snapshots
            .iter()
            .filter(|s| s.family == Some(family) && s.seq < seq)
            .max_by_key(|s| s.seq)
    }

    fn used_bytes(&self, s: &RefSnapshot) -> u64 {
        let since = match (&s.copy, s.family) {
            (Some(copy), _) => copy.since.unwrap_or(0),
            (None, None) => {
                return s.pages.values().filter(|p| p.bytes.is_some()).count() as u64 * 512
            }
            (None, Some(f)) => self.previous_alive(f, s.seq).map_or(0, |p| p.taken),
        };
        s.pages
            .values()
            .filter(|p| p.bytes.is_some() && p.version > since)
            .count() as u64
            * 512
    }
}

/// Everything observable about the lab except its logs, to check that a refusal changed nothing.
fn fingerprint(lab: &Lab) -> String {
    let mut out = format!("now={:?}\n", lab.now());
    for d in lab.disks() {
        out += &format!(
            "disk {} {} {} {:?} {:?} {:?}\n",
            d.at.name,
            d.unique_id,
            d.data.size_bytes(),
            d.data.page_map().written_ranges(),
            d.changed.iter().collect::<Vec<_>>(),
            d.incremental_snapshot_times
        );
    }
    for s in lab.snapshots() {
        out += &format!(
            "snap {} {} {:?} {} {:?}\n",
            s.at.name,
            s.seq,
            s.delta.iter().collect::<Vec<_>>(),
            s.used_bytes(),
            s.content.written_ranges()
        );
    }
    out
}

fn expect_refused(lab: &mut Lab, command: Command, code: &str) -> Result<(), TestCaseError> {
    let before = fingerprint(lab);
    let err = lab.execute(command).expect_err("must be refused");
    prop_assert_eq!(err.code(), code);
    prop_assert_eq!(
        fingerprint(lab),
        before,
        "a refused command changed the lab"
    );
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut lab = common::lab();
    let mut model = Model::default();
    for i in 0..2 {
        common::create_disk(&mut lab, &format!("d{i}"), "Premium_LRS", 1, 512);
        model.disks.push(Some(RefDisk {
            name: format!("d{i}"),
            region: "westeurope",
            family: model.next_family,
            size_gib: 1,
            epoch: 0,
            pages: BTreeMap::new(),
            snapshot_times: vec![],
        }));
        model.next_family += 1;
    }

    // Undo: (log length, model, fingerprint) before each operation.
    let mut history: Vec<(usize, Model, String)> = Vec::new();
    // Redo: the commands undone, and the model and fingerprint after them.
    let mut redo: Option<(Vec<Command>, Model, String)> = None;
    for op in ops {
        match op {
            Op::Reload => {
                // What the app stored (the journal's records, freed bytes
                // rewritten, a checkpoint), opened again.
                let log: Vec<Command> = lab.log().cloned().collect();
                let (records, _) = store::records_for(log).unwrap();
                let mut opened = store::Journal::open(&records).unwrap();
                prop_assert!(opened.recovery.is_empty());
                prop_assert!(opened.from_checkpoint.is_some() || records.len() <= 2);
                prop_assert_eq!(
                    fingerprint(opened.journal.lab()),
                    fingerprint(&lab),
                    "after a reload"
                );
                // History, undo and redo need the log before the checkpoint:
                // the app reads it after the lab shows.
                opened.journal.attach_older(&records).unwrap();
                let reopened = opened.journal.lab().clone();
                prop_assert_eq!(reopened.operations(), lab.operations());
                lab = reopened;
                continue;
            }
            Op::Undo => {
                let Some((len, before, seen)) = history.pop() else {
                    continue;
                };
                if lab.log().len() == len {
                    model = before;
                    continue;
                }
                // History says first when a position needs bytes no longer kept.
                let warned = snaplab_engine::timeline::bytes_not_kept(&lab)
                    .into_iter()
                    .any(|op| op <= len);
                let undone: Vec<Command> = lab.log().skip(len).cloned().collect();
                let (_, journal) =
                    store::records_for(lab.log().take(len).cloned().collect::<Vec<_>>()).unwrap();
                let undone_to = journal.lab().clone();
                if warned {
                    // The user was told; the lab there is not the model's.
                    return Ok(());
                }
                prop_assert_eq!(fingerprint(&undone_to), seen, "undo");
                redo = Some((undone, model.clone(), fingerprint(&lab)));
                lab = undone_to;
                model = before;
                continue;
            }
            Op::Redo => {
                let Some((commands, after, seen)) = redo.take() else {
                    continue;
                };
                history.push((lab.log().len(), model.clone(), fingerprint(&lab)));
                for command in commands {
                    let _ = lab.execute(command);
                }
                prop_assert_eq!(fingerprint(&lab), seen, "redo");
                model = after;
                continue;
            }
            _ => {
                history.push((lab.log().len(), model.clone(), fingerprint(&lab)));
                redo = None;
            }
        }
        model.op_seq += 1;
        let seq = model.op_seq;
        match op {
            Op::Reload | Op::Undo | Op::Redo => unreachable!(),
            Op::Write {
                disk,
                page,
                len,
                seed,
            } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let len = len.min(PAGES - page);
                let bytes: Vec<u8> = (page..page + len).flat_map(|p| fill(seed, p)).collect();
                lab.execute(Command::Write(cmd::Write {
                    group: RG.into(),
                    disk: name,
                    offset: page * 512,
                    data: WriteData::bytes(bytes),
                }))
                .unwrap();
                let d = model.disks[disk].as_mut().unwrap();
                for p in page..page + len {
                    d.pages.insert(
                        p,
                        Page {
                            bytes: Some(fill(seed, p)),
                            version: seq,
                        },
                    );
                }
            }
            Op::Rewrite { disk, page, len } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let len = len.min(PAGES - page);
                let d = model.disks[disk].as_mut().unwrap();
                let bytes: Vec<u8> = (page..page + len)
                    .flat_map(|p| {
                        d.pages
                            .get(&p)
                            .and_then(|pg| pg.bytes.clone())
                            .unwrap_or_else(|| vec![0; PAGE])
                    })
                    .collect();
                lab.execute(Command::Write(cmd::Write {
                    group: RG.into(),
                    disk: name,
                    offset: page * 512,
                    data: WriteData::bytes(bytes.clone()),
                }))
                .unwrap();
                for (i, p) in (page..page + len).enumerate() {
                    d.pages.insert(
                        p,
                        Page {
                            bytes: Some(bytes[i * PAGE..(i + 1) * PAGE].to_vec()),
                            version: seq,
                        },
                    );
                }
            }
            Op::Clear { disk, page, len } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let len = len.min(PAGES - page);
                lab.execute(Command::Clear(cmd::Clear {
                    group: RG.into(),
                    disk: name,
                    offset: page * 512,
                    length: len * 512,
                }))
                .unwrap();
                let d = model.disks[disk].as_mut().unwrap();
                for p in page..page + len {
                    d.pages.insert(
                        p,
                        Page {
                            bytes: None,
                            version: seq,
                        },
                    );
                }
            }
            Op::Snapshot { disk, incremental } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                model.names += 1;
                let snap_name = format!("s{}", model.names);
                let result = lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
                    group: RG.into(),
                    name: snap_name.clone(),
                    source: name,
                    incremental,
                    sku: None,
                    location: None,
                    copy_start: false,
                }));
                let now = model.now_ms;
                let d = model.disks[disk].as_mut().unwrap();
                if incremental {
                    let recent = d
                        .snapshot_times
                        .iter()
                        .filter(|t| now - **t < 300_000)
                        .count();
                    if recent >= 7 {
                        prop_assert_eq!(
                            result.unwrap_err().code(),
                            "SnapshotOperationRateExceeded"
                        );
                        continue;
                    }
                    d.snapshot_times.push(now);
                }
                prop_assert!(result.is_ok(), "{:?}", result);
                model.snapshots.push(RefSnapshot {
                    name: snap_name,
                    region: d.region,
                    family: incremental.then_some(d.family),
                    seq,
                    taken: seq,
                    epoch: d.epoch,
                    pages: d.pages.clone(),
                    copy: None,
                });
            }
            Op::DeleteSnapshot { index } => {
                if model.snapshots.is_empty() {
                    continue;
                }
                let s = model.snapshots.remove(index % model.snapshots.len());
                lab.execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
                    group: RG.into(),
                    name: s.name.clone(),
                }))
                .unwrap();
                // A copy's changes move into the next copy of its family (A9).
                if let Some(copy) = &s.copy {
                    if let Some(next) = model
                        .snapshots
                        .iter_mut()
                        .filter(|n| n.family == s.family && n.seq > s.seq)
                        .min_by_key(|n| n.seq)
                    {
                        let next = next.copy.as_mut().expect("a copy's family holds copies");
                        next.since = copy.since.and(next.since).map(|_| copy.since.unwrap());
                    }
                }
                // D4: a copy still reading from it fails; the user deletes it.
                let now = model.now_ms;
                let failed: Vec<String> = model
                    .snapshots
                    .iter()
                    .filter(|c| {
                        c.copy
                            .as_ref()
                            .is_some_and(|k| k.source == s.name && now < k.done_at)
                    })
                    .map(|c| c.name.clone())
                    .collect();
                for name in failed {
                    let engine = lab.find_snapshot(RG, &name).unwrap();
                    prop_assert_eq!(
                        engine.copy_error.as_ref().map(|e| e.code.as_str()),
                        Some("CopySourceNotFound"),
                        "copy {} of a deleted source",
                        &name
                    );
                    lab.execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
                        group: RG.into(),
                        name: name.clone(),
                    }))
                    .unwrap();
                    model.snapshots.retain(|c| c.name != name);
                }
            }
            Op::Restore { index } => {
                if model.snapshots.is_empty() {
                    continue;
                }
                let s = model.snapshots[index % model.snapshots.len()].clone();
                let name = format!("r{}", model.disks.len());
                let restore = Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                    group: RG.into(),
                    name: name.clone(),
                    source: s.name.clone(),
                    sku: None,
                    size_gib: None,
                });
                // A copy is usable once all its data has crossed (D1).
                if s.copy.as_ref().is_some_and(|c| model.now_ms < c.done_at) {
                    expect_refused(&mut lab, restore, "OperationNotAllowed")?;
                    continue;
                }
                lab.execute(restore).unwrap();
                // Its first incremental snapshot holds all its data: every page counts as changed now.
                let pages = s
                    .pages
                    .iter()
                    .filter(|(_, p)| p.bytes.is_some())
                    .map(|(k, p)| {
                        (
                            *k,
                            Page {
                                bytes: p.bytes.clone(),
                                version: seq,
                            },
                        )
                    })
                    .collect();
                let size_gib = lab.find_disk(RG, &name).unwrap().size_gib();
                model.disks.push(Some(RefDisk {
                    name,
                    region: s.region,
                    family: model.next_family,
                    size_gib,
                    epoch: 0,
                    pages,
                    snapshot_times: vec![],
                }));
                model.next_family += 1;
            }
            Op::CopyToRegion { index } => {
                if model.snapshots.is_empty() {
                    continue;
                }
                let src = model.snapshots[index % model.snapshots.len()].clone();
                model.names += 1;
                let name = format!("c{}", model.names);
                let copy = Command::CreateSnapshot(cmd::CreateSnapshot {
                    group: RG.into(),
                    name: name.clone(),
                    source: lab.find_snapshot(RG, &src.name).unwrap().id(),
                    incremental: true,
                    sku: None,
                    location: Some(TARGET.into()),
                    copy_start: true,
                });
                let now = model.now_ms;
                let (Some(source_family), false) = (src.family, src.region == TARGET) else {
                    // D1: only incremental snapshots, and only to another region.
                    expect_refused(&mut lab, copy, "InvalidParameter")?;
                    continue;
                };
                // D3: one copy of a family at a time, in creation order.
                let running = model.snapshots.iter().any(|c| {
                    c.copy
                        .as_ref()
                        .is_some_and(|k| k.source_family == source_family && now < k.done_at)
                });
                let target_family = model.copy_families.get(&source_family).copied();
                let previous = model
                    .snapshots
                    .iter()
                    .filter(|c| target_family.is_some() && c.family == target_family)
                    .max_by_key(|c| c.seq)
                    .and_then(|c| c.copy.clone());
                let previous_source = previous
                    .as_ref()
                    .and_then(|c| model.snapshots.iter().find(|s| s.name == c.source))
                    .cloned();
                // In creation order, even when the last copy's source is gone.
                if running || previous.as_ref().is_some_and(|p| p.source_seq >= src.seq) {
                    expect_refused(&mut lab, copy, "OperationNotAllowed")?;
                    continue;
                }
                let result = lab.execute(copy);
                prop_assert!(result.is_ok(), "{:?}", result);
                let engine = lab.find_snapshot(RG, &name).unwrap();
                let takes = engine.background.unwrap().duration.as_millis();
                let family = *model.copy_families.entry(source_family).or_insert_with(|| {
                    model.next_family += 1;
                    model.next_family + 1_000
                });
                model.snapshots.push(RefSnapshot {
                    name,
                    region: TARGET,
                    family: Some(family),
                    seq,
                    taken: src.taken,
                    epoch: src.epoch,
                    pages: src.pages.clone(),
                    copy: Some(RefCopy {
                        source: src.name.clone(),
                        source_family,
                        source_seq: src.seq,
                        done_at: now + takes,
                        // D2: what changed since the last copy's source was taken.
                        since: previous_source.map(|p| p.taken),
                    }),
                });
            }
            Op::Resize { disk, grow } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let d = model.disks[disk].as_mut().unwrap();
                let new = (d.size_gib + grow).min(32_767);
                lab.execute(Command::ResizeDisk(cmd::ResizeDisk {
                    group: RG.into(),
                    name,
                    size_gib: new,
                    iops: None,
                    mbps: None,
                }))
                .unwrap();
                if d.size_gib <= 4096 && new > 4096 {
                    d.epoch += 1;
                }
                d.size_gib = new;
            }
            Op::DeleteDisk { disk } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                lab.execute(Command::DeleteDisk(cmd::DeleteDisk {
                    group: RG.into(),
                    name,
                }))
                .unwrap();
                model.disks[disk] = None;
            }
            Op::Advance { seconds } => {
                lab.execute(Command::AdvanceClock(cmd::AdvanceClock {
                    millis: seconds * 1000,
                }))
                .unwrap();
                model.now_ms += seconds * 1000;
            }
            Op::Misaligned { disk, offset } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let data = WriteData::bytes(vec![1; 512]);
                expect_refused(
                    &mut lab,
                    Command::Write(cmd::Write {
                        group: RG.into(),
                        disk: name,
                        offset,
                        data,
                    }),
                    "InvalidPageRange",
                )?;
            }
            Op::PastEnd { disk } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let end = model.disks[disk].as_ref().unwrap().size_gib * GIB;
                expect_refused(
                    &mut lab,
                    Command::Clear(cmd::Clear {
                        group: RG.into(),
                        disk: name,
                        offset: end - 512,
                        length: 1024,
                    }),
                    "InvalidPageRange",
                )?;
            }
            Op::Shrink { disk } => {
                let Some(name) = model.disk_name(disk) else {
                    continue;
                };
                let size = model.disks[disk].as_ref().unwrap().size_gib;
                if size > 1 {
                    expect_refused(
                        &mut lab,
                        Command::ResizeDisk(cmd::ResizeDisk {
                            group: RG.into(),
                            name,
                            size_gib: size - 1,
                            iops: None,
                            mbps: None,
                        }),
                        "OperationNotAllowed",
                    )?;
                }
            }
        }
    }
    check(&lab, &model)
}

fn check(lab: &Lab, model: &Model) -> Result<(), TestCaseError> {
    let prices = PriceTable::default();
    let bill = lab.bill(&prices);
    prop_assert_eq!(bill.snapshots.len(), model.snapshots.len());
    // The kept cost history ends at today's bill (it is never recomputed).
    let kept = lab
        .cost_history()
        .last()
        .map_or((0.0, 0.0), |p| (p.daily_cost, p.full_equivalent_daily_cost));
    prop_assert_eq!(kept, (bill.daily_cost, bill.full_equivalent_daily_cost));
    let now = model.now_ms;
    for s in &model.snapshots {
        let engine = lab.find_snapshot(RG, &s.name).unwrap();
        if let Some(copy) = &s.copy {
            prop_assert_eq!(engine.at.location.as_str(), TARGET);
            prop_assert_eq!(
                engine.completion_percent(lab.now()) == 100,
                now >= copy.done_at,
                "copy {} completion",
                &s.name
            );
            prop_assert!(engine.copy_error.is_none());
        }
        // Restore = the bytes the disk had then.
        let mut bytes = vec![0u8; PAGES as usize * PAGE];
        engine.content.read_into(0, &mut bytes);
        for p in 0..PAGES {
            let expected = s
                .pages
                .get(&p)
                .and_then(|pg| pg.bytes.clone())
                .unwrap_or_else(|| vec![0; PAGE]);
            prop_assert_eq!(
                &bytes[p as usize * PAGE..(p as usize + 1) * PAGE],
                &expected[..],
                "snapshot {} page {}",
                s.name,
                p
            );
        }
        // Used size and billing.
        prop_assert_eq!(
            engine.used_bytes(),
            model.used_bytes(s),
            "used size of {}",
            s.name
        );
        let line = bill.snapshots.iter().find(|l| l.name == s.name).unwrap();
        prop_assert_eq!(line.used_bytes, model.used_bytes(s));
        if s.copy.as_ref().is_some_and(|c| now < c.done_at) {
            continue;
        }
        // Plain page ranges = written pages.
        let plain = lab
            .page_ranges(RG, &s.name, None, &PageRangesRequest::default())
            .unwrap();
        let expected_plain = coalesce(
            s.pages
                .iter()
                .filter(|(_, p)| p.bytes.is_some())
                .map(|(k, _)| (*k, RangeKind::PageRange)),
        );
        prop_assert_eq!(ranges(&plain.ranges), expected_plain);
    }
    // Every ordered pair of one family: the diff.
    for newer in &model.snapshots {
        for older in &model.snapshots {
            let (Some(fam), true) = (newer.family, older.seq < newer.seq) else {
                continue;
            };
            if older.family != Some(fam) || newer.copy.is_some() {
                continue;
            }
            let result = lab.page_ranges(
                RG,
                &newer.name,
                Some(&older.name),
                &PageRangesRequest::default(),
            );
            if older.epoch != newer.epoch {
                prop_assert_eq!(result.unwrap_err().code(), "SnapshotDiffAcrossSizeBoundary");
                continue;
            }
            let expected = coalesce(
                newer
                    .pages
                    .iter()
                    .filter(|(_, p)| p.version > older.seq)
                    .map(|(k, p)| {
                        (
                            *k,
                            if p.bytes.is_some() {
                                RangeKind::PageRange
                            } else {
                                RangeKind::ClearRange
                            },
                        )
                    }),
            );
            prop_assert_eq!(
                ranges(&result.unwrap().ranges),
                expected,
                "diff {} vs {}",
                newer.name,
                older.name
            );
        }
    }
    Ok(())
}

fn ranges(list: &[snaplab_engine::diff::DiffRange]) -> Vec<(RangeKind, u64, u64)> {
    list.iter().map(|r| (r.kind, r.start, r.end)).collect()
}

fn coalesce(pages: impl Iterator<Item = (u64, RangeKind)>) -> Vec<(RangeKind, u64, u64)> {
    let mut out: Vec<(RangeKind, u64, u64)> = Vec::new();
    for (page, kind) in pages {
        let (start, end) = (page * 512, page * 512 + 511);
        match out.last_mut() {
            Some(last) if last.0 == kind && last.2 + 1 == start => last.2 = end,
            _ => out.push((kind, start, end)),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("SNAPLAB_MODEL_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(10_000), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference_model(ops in prop::collection::vec(op(), 1..std::env::var("SNAPLAB_MODEL_OPS").ok().and_then(|c| c.parse().ok()).unwrap_or(40))) {
        run(ops)?;
    }
}

#[test]
fn replaying_the_log_rebuilds_the_same_lab() {
    let mut lab = common::lab_with_disk("Premium_LRS", 4);
    common::write(&mut lab, "disk1", 0, 8192, 1).unwrap();
    common::snapshot(&mut lab, "disk1", "s1").unwrap();
    common::advance(&mut lab, Span::minutes(3));
    common::clear(&mut lab, "disk1", 0, 512);
    let _ = common::write(&mut lab, "disk1", 7, 512, 1); // refused, and logged
    common::snapshot(&mut lab, "disk1", "s2").unwrap();
    let replayed = Lab::replay(lab.log());
    assert_eq!(fingerprint(&replayed), fingerprint(&lab));
    assert_eq!(replayed.events().count(), lab.events().count());
    assert_eq!(
        replayed.find_snapshot(RG, "s2").unwrap().unique_id,
        lab.find_snapshot(RG, "s2").unwrap().unique_id
    );
}
