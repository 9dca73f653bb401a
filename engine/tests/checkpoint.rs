//! Checkpoints are a cache of the log, never a second truth: a lab opened
//! from its newest checkpoint and the log after it is the lab a replay of
//! the whole log builds, whatever ran before (real bytes freed after the
//! checkpoint, snapshots deleted in the middle of a family, copies across
//! regions, restores), and a damaged or foreign checkpoint is never trusted.

mod common;

use proptest::prelude::*;
use snaplab_engine::checkpoint::{self, checkpoint_key};
use snaplab_engine::cmd::{self, Command, WriteData};
use snaplab_engine::lab::DEFAULT_SUBSCRIPTION_ID;
use snaplab_engine::store::{self, BlockStore, MemoryStore, Session};
use snaplab_engine::{Lab, PatternKind};

const RG: &str = common::RG;

#[derive(Debug, Clone)]
enum Step {
    Disk(u8),
    Bytes {
        disk: u8,
        page: u64,
        pages: u64,
        seed: u8,
    },
    Pattern {
        disk: u8,
        page: u64,
        pages: u64,
        seed: u64,
    },
    Clear {
        disk: u8,
        page: u64,
        pages: u64,
    },
    Snapshot {
        disk: u8,
        name: u8,
        incremental: bool,
    },
    DeleteSnapshot(u8),
    DeleteDisk(u8),
    Restore {
        snapshot: u8,
        disk: u8,
    },
    CopyToRegion {
        snapshot: u8,
        name: u8,
    },
    Resize {
        disk: u8,
        gib: u64,
    },
    Minutes(u64),
    /// A disk made for upload (20 MiB and a footer), its write SAS, and the
    /// end of its upload: every stage a checkpoint can catch it in.
    UploadDisk(u8),
    GrantWrite(u8),
    Revoke(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3u8).prop_map(Step::Disk),
        (0..3u8, 0..64u64, 1..6u64, any::<u8>()).prop_map(|(disk, page, pages, seed)| {
            Step::Bytes {
                disk,
                page,
                pages,
                seed,
            }
        }),
        (0..3u8, 0..4096u64, 1..600u64, any::<u64>()).prop_map(|(disk, page, pages, seed)| {
            Step::Pattern {
                disk,
                page,
                pages,
                seed,
            }
        }),
        (0..3u8, 0..64u64, 1..40u64).prop_map(|(disk, page, pages)| Step::Clear {
            disk,
            page,
            pages
        }),
        (0..3u8, 0..6u8, any::<bool>()).prop_map(|(disk, name, incremental)| Step::Snapshot {
            disk,
            name,
            incremental
        }),
        (0..6u8).prop_map(Step::DeleteSnapshot),
        (0..3u8).prop_map(Step::DeleteDisk),
        (0..6u8, 0..3u8).prop_map(|(snapshot, disk)| Step::Restore { snapshot, disk }),
        (0..6u8, 0..3u8).prop_map(|(snapshot, name)| Step::CopyToRegion { snapshot, name }),
        (0..3u8, 1..4u64).prop_map(|(disk, gib)| Step::Resize { disk, gib }),
        (1..30u64).prop_map(Step::Minutes),
        (0..3u8).prop_map(Step::UploadDisk),
        (0..3u8).prop_map(Step::GrantWrite),
        (0..3u8).prop_map(Step::Revoke),
    ]
}

fn command(step: &Step) -> Command {
    let disk = |d: &u8| format!("d{d}");
    let snap = |s: &u8| format!("s{s}");
    match step {
        Step::Disk(d) => Command::CreateDisk(cmd::CreateDisk::premium(RG, &disk(d), 1)),
        Step::Bytes {
            disk: d,
            page,
            pages,
            seed,
        } => Command::Write(cmd::Write {
            group: RG.into(),
            disk: disk(d),
            offset: page * 512,
            data: WriteData::bytes(
                (0..pages * 512)
                    .map(|i| seed.wrapping_add(i as u8))
                    .collect::<Vec<u8>>(),
            ),
        }),
        Step::Pattern {
            disk: d,
            page,
            pages,
            seed,
        } => Command::Write(cmd::Write {
            group: RG.into(),
            disk: disk(d),
            offset: page * 512,
            data: WriteData::Pattern {
                pattern: PatternKind::Random,
                seed: *seed,
                length: pages * 512,
            },
        }),
        Step::Clear {
            disk: d,
            page,
            pages,
        } => Command::Clear(cmd::Clear {
            group: RG.into(),
            disk: disk(d),
            offset: page * 512,
            length: pages * 512,
        }),
        Step::Snapshot {
            disk: d,
            name,
            incremental,
        } => Command::CreateSnapshot(cmd::CreateSnapshot {
            group: RG.into(),
            name: snap(name),
            source: disk(d),
            incremental: *incremental,
            sku: None,
            location: None,
            copy_start: false,
        }),
        Step::DeleteSnapshot(s) => Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group: RG.into(),
            name: snap(s),
        }),
        Step::DeleteDisk(d) => Command::DeleteDisk(cmd::DeleteDisk {
            group: RG.into(),
            name: disk(d),
        }),
        Step::Restore { snapshot, disk: d } => {
            Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                group: RG.into(),
                name: disk(d),
                source: snap(snapshot),
                sku: None,
                size_gib: None,
            })
        }
        Step::CopyToRegion { snapshot, name } => Command::CreateSnapshot(cmd::CreateSnapshot {
            group: RG.into(),
            name: format!("copy{name}"),
            source: format!(
                "/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/{RG}/providers/Microsoft.Compute/snapshots/{}",
                snap(snapshot)
            ),
            incremental: true,
            sku: None,
            location: Some("northeurope".into()),
            copy_start: true,
        }),
        Step::Resize { disk: d, gib } => Command::ResizeDisk(cmd::ResizeDisk {
            group: RG.into(),
            name: disk(d),
            size_gib: *gib,
            iops: None,
            mbps: None,
        }),
        Step::Minutes(m) => Command::AdvanceClock(cmd::AdvanceClock {
            millis: m * 60_000,
        }),
        Step::UploadDisk(d) => Command::CreateDisk(cmd::CreateDisk::upload(
            RG,
            &disk(d),
            "Standard_LRS",
            snaplab_engine::rules::UPLOAD_MIN_BYTES,
        )),
        Step::GrantWrite(d) => Command::GrantAccess(cmd::GrantAccess {
            access: cmd::Access::Write,
            ..cmd::GrantAccess::read(cmd::AccessTarget::Disk, RG, &disk(d), 3600)
        }),
        Step::Revoke(d) => Command::RevokeAccess(cmd::RevokeAccess {
            target: cmd::AccessTarget::Disk,
            group: RG.into(),
            name: disk(d),
        }),
    }
}

fn start() -> Vec<Command> {
    vec![Command::CreateGroup(cmd::CreateGroup {
        name: RG.into(),
        location: "westeurope".into(),
    })]
}

/// Runs `commands` through a stored session that checkpoints every `every`
/// entries; returns the store and the lab it ended with.
fn stored(commands: &[Command], every: usize) -> (MemoryStore, Lab) {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    session.journal_mut().set_checkpoint_every(every);
    for command in commands {
        let _ = session.execute(command.clone());
    }
    (session.store().clone(), session.lab().clone())
}

/// Opens `records` as the app does (checkpoint and the log after it), then
/// attaches the older log as history, undo and share links ask for it.
fn open_whole(records: &std::collections::BTreeMap<String, Vec<u8>>) -> store::Opened {
    let mut opened = store::Journal::open(records).unwrap();
    let base = opened.from_checkpoint.unwrap_or(0);
    assert_eq!(opened.journal.lab().log_base(), base);
    assert_eq!(opened.journal.lab().operations(), opened.journal.entries());
    opened.journal.attach_older(records).unwrap();
    assert!(opened.journal.lab().has_whole_log());
    opened
}

/// The same state (all but the log, whose entries for freed bytes say
/// `freed` once stored), down to the bytes of every page.
fn same_state(a: &Lab, b: &Lab) -> bool {
    checkpoint::encode(a) == checkpoint::encode(b) && same_entities(a, b)
}

/// Every entity compared with `==`, not through `encode` (a field left out
/// of both sides of the codec would pass an encode comparison).
fn same_entities(a: &Lab, b: &Lab) -> bool {
    a.now() == b.now()
        && a.next_blob_id() == b.next_blob_id()
        && a.current_subscription() == b.current_subscription()
        && a.subscriptions().eq(b.subscriptions())
        && a.groups().eq(b.groups())
        && a.disks().eq(b.disks())
        && a.snapshots().eq(b.snapshots())
        && a.vms().eq(b.vms())
        && a.events().eq(b.events())
        && a.cost_history() == b.cost_history()
        && a.ended_days() == b.ended_days()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The property: open(checkpoint + tail) == replay(log) == the lab that ran.
    #[test]
    fn a_lab_opened_from_a_checkpoint_is_the_lab_its_log_replays_to(
        steps in prop::collection::vec(step(), 1..60),
        every in 1..9usize,
    ) {
        let mut commands = start();
        commands.extend(steps.iter().map(command));
        let (store, ran) = stored(&commands, every);
        let entries = commands.len();
        let opened = open_whole(store.records());
        prop_assert_eq!(opened.from_checkpoint, (entries >= every).then_some(entries - entries % every));
        prop_assert!(opened.recovery.deletes.is_empty(), "a stale checkpoint was left: {:?}", opened.recovery.deletes);
        prop_assert!(same_state(opened.journal.lab(), &ran), "checkpoint + tail differs from the lab that ran");

        // The log alone (no checkpoint) rebuilds exactly the same lab,
        // log included: the checkpoint is a cache of it.
        let mut records = store.records().clone();
        records.retain(|k, _| !k.starts_with("checkpoint/"));
        let from_log = store::Journal::open(&records).unwrap();
        prop_assert_eq!(from_log.from_checkpoint, None);
        prop_assert!(from_log.journal.lab() == opened.journal.lab());
        prop_assert!(same_state(&Lab::replay(ran.log()), &ran));
    }

    /// A damaged checkpoint is a cache miss: never a panic, never trusted
    /// over the log when it cannot be read.
    #[test]
    fn a_damaged_checkpoint_never_panics_and_a_refused_one_falls_back_to_the_log(
        steps in prop::collection::vec(step(), 8..30),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut commands = start();
        commands.extend(steps.iter().map(command));
        let (store, ran) = stored(&commands, 4);
        let mut records = store.records().clone();
        let key = records.keys().find(|k| k.starts_with("checkpoint/")).unwrap().clone();
        let bytes = records.get_mut(&key).unwrap();
        for (at, byte) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= byte | 1;
        }
        if truncate {
            let keep = cut.index(bytes.len());
            bytes.truncate(keep);
        }
        let corrupted = bytes.clone();
        let opened = open_whole(&records);
        records.retain(|k, _| !k.starts_with("checkpoint/"));
        let from_log = store::Journal::open(&records).unwrap();
        let decodes = checkpoint::decode(&corrupted, |_| None).is_ok()
            || checkpoint::decode(&corrupted, |b| {
                ran.blob_range(b).map(|r| vec![0u8; (r.len() * 512) as usize].into())
            })
            .is_ok();
        if opened.from_checkpoint.is_none() {
            prop_assert!(opened.journal.lab() == from_log.journal.lab());
            prop_assert!(opened.recovery.deletes.contains(&key), "an unreadable checkpoint is dropped");
        } else {
            prop_assert!(decodes);
        }
    }
}

/// A training day: scattered writes, 20-deep snapshot rotation, clock.
fn training_day(ops: usize) -> Vec<Command> {
    snaplab_engine::testkit::workload::training_day(RG, "disk1", ops)
}

#[test]
fn a_long_lab_opens_from_its_newest_checkpoint_and_replays_only_the_tail() {
    let commands = training_day(5_000);
    let (store, ran) = stored(&commands, checkpoint::CHECKPOINT_EVERY);
    let opened = open_whole(store.records());
    assert_eq!(opened.from_checkpoint, Some(4_096));
    assert_eq!(
        store
            .records()
            .keys()
            .filter(|k| k.starts_with("checkpoint/"))
            .collect::<Vec<_>>(),
        vec![&checkpoint_key(4_096)],
        "only the newest checkpoint is kept"
    );
    assert!(opened.journal.lab() == &ran);
    assert_eq!(opened.journal.lab().log().len(), 5_000);
    // Billing, history and the activity log come back with it.
    assert_eq!(opened.journal.lab().cost_history(), ran.cost_history());
    assert_eq!(
        opened.journal.lab().events().collect::<Vec<_>>(),
        ran.events().collect::<Vec<_>>()
    );
}

#[test]
fn a_chain_of_snapshots_is_stored_as_its_changes_not_as_its_copies() {
    // 200 snapshots of a disk with 1,000 scattered ranges each: as full
    // copies, the maps would hold 200 × 100,000 extents on average.
    let mut commands = start();
    commands.push(common::create_disk_command("disk1", "Premium_LRS", 1024));
    let mut x = 11u64;
    for s in 0..200 {
        for _ in 0..1_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            commands.push(Command::Write(cmd::Write {
                group: RG.into(),
                disk: "disk1".into(),
                offset: ((x >> 20) % (1024 * 2 * 1024 * 1024 - 8)) * 512,
                data: WriteData::Pattern {
                    pattern: PatternKind::Random,
                    seed: x,
                    length: 4096,
                },
            }));
        }
        commands.push(Command::CreateSnapshot(cmd::CreateSnapshot {
            group: RG.into(),
            name: format!("s{s}"),
            source: "disk1".into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        }));
        commands.push(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }));
    }
    let mut lab = Lab::new();
    for c in &commands {
        let _ = lab.execute(c.clone());
    }
    let bytes = checkpoint::encode(&lab);
    let changed_ranges: usize = lab.snapshots().map(|s| s.delta.range_count()).sum();
    assert!(changed_ranges >= 190_000, "{changed_ranges}");
    // The same writes without the snapshots: what the snapshots add.
    let mut without = Lab::new();
    for c in commands
        .iter()
        .filter(|c| !matches!(c, Command::CreateSnapshot(_)))
    {
        let _ = without.execute(c.clone());
    }
    let added = bytes.len() - checkpoint::encode(&without).len();
    // Each changed range costs a few bytes twice (delta and extent), not a
    // copy of the whole map per snapshot (≈ 100,000 extents each).
    assert!(
        added < 40 * changed_ranges,
        "{added} bytes for {changed_ranges} changed ranges"
    );
    let decoded = checkpoint::decode(&bytes, |_| None).unwrap();
    assert!(decoded.snapshots().eq(lab.snapshots()));
    assert!(decoded.disks().eq(lab.disks()));
    assert!(same_entities(&decoded, &lab), "every entity round-trips");
    assert_eq!(checkpoint::encode(&decoded), bytes);
}

#[test]
fn an_import_drops_the_checkpoint_it_carries_and_stores_its_own() {
    let commands = {
        let mut c = start();
        c.extend(
            [
                Step::Disk(0),
                Step::Bytes {
                    disk: 0,
                    page: 3,
                    pages: 2,
                    seed: 7,
                },
                Step::Snapshot {
                    disk: 0,
                    name: 0,
                    incremental: true,
                },
            ]
            .iter()
            .map(command),
        );
        c
    };
    let (store, ran) = stored(&commands, 1_000);
    // A checkpoint that lies (a valid checkpoint of a different lab),
    // resealed into a file with a valid checksum.
    let mut records = store.records().clone();
    let liar = checkpoint::encode(&Lab::new());
    records.insert(checkpoint_key(2), liar);
    let file = store::export(&records);

    // The app's import replays the log and ignores the liar.
    let imported = store::import(&file).unwrap();
    assert_ne!(
        imported.get(&checkpoint_key(2)),
        records.get(&checkpoint_key(2))
    );
    assert!(
        imported.contains_key(&checkpoint_key(4)),
        "{:?}",
        imported.keys()
    );
    let opened = open_whole(&imported);
    assert_eq!(opened.from_checkpoint, Some(4));
    assert!(opened.journal.lab() == &ran);
}

#[test]
fn a_session_checkpoint_on_close_makes_the_next_open_replay_nothing() {
    let commands = training_day(3_000);
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in &commands {
        let _ = session.execute(c.clone());
    }
    session.checkpoint().unwrap();
    let mut store = session.store().clone();
    let opened = open_whole(store.records());
    assert_eq!(opened.from_checkpoint, Some(3_000));
    assert!(opened.journal.lab() == session.lab());
    // The older checkpoint (at 2,048) went in the same batch.
    assert_eq!(
        store.keys("checkpoint/").unwrap(),
        vec![checkpoint_key(3_000)]
    );
    // Nothing more to do: a second checkpoint at the same place is no batch.
    assert!(session.journal().checkpoint_batch().is_empty());
    store.commit(store::Batch::default()).unwrap();
}

#[test]
fn a_lab_opens_from_its_checkpoint_and_the_log_after_it_alone_and_the_rest_attaches_later() {
    // What the app reads first: the records but the log before the checkpoint.
    // Two days pass before it, one after: the usage report has ended days.
    let mut commands = training_day(5_000);
    for at in [1_001, 3_001, 4_501] {
        commands[at] =
            Command::AdvanceClock(snaplab_engine::cmd::AdvanceClock { millis: 86_400_000 });
    }
    let (store, ran) = stored(&commands, checkpoint::CHECKPOINT_EVERY);
    let mut recent = store.records().clone();
    recent.retain(|k, _| {
        !k.starts_with("log/")
            || k.as_str()
                >= checkpoint_key(4_096)
                    .replace("checkpoint/", "log/")
                    .as_str()
    });
    assert_eq!(recent.keys().filter(|k| k.starts_with("log/")).count(), 905);
    let mut opened = store::Journal::open(&recent).unwrap();
    assert_eq!(opened.from_checkpoint, Some(4_096));
    assert!(opened.recovery.is_empty(), "{:?}", opened.recovery);
    let lab = opened.journal.lab();
    assert_eq!(
        (lab.log_base(), lab.log().len(), lab.operations()),
        (4_096, 904, 5_000)
    );
    assert!(same_state(lab, &ran));
    // The usage report needs no older log: the ended days are kept.
    let prices = Default::default();
    let (from, to) = (snaplab_engine::clock::LAB_EPOCH, ran.now());
    let report = lab.daily_usage(&prices, from, to).unwrap();
    assert!(report.len() > 3 * 20, "{}", report.len());
    assert_eq!(report, ran.daily_usage(&prices, from, to).unwrap());
    // Attaching needs exactly the entries before the checkpoint.
    assert!(opened.journal.attach_older(&recent).is_err());
    assert_eq!(
        opened.journal.lab().log_base(),
        4_096,
        "a refused attach changes nothing"
    );
    opened.journal.attach_older(store.records()).unwrap();
    assert!(opened.journal.lab() == &ran);

    // Without a checkpoint, a log that does not start at 1 is refused.
    recent.retain(|k, _| !k.starts_with("checkpoint/"));
    let err = store::Journal::open(&recent).unwrap_err();
    assert!(
        err.to_string()
            .contains("log entry log/000000004096 is out of sequence (expected log/000000000001)"),
        "{err}"
    );
}

#[test]
fn events_and_cost_points_stay_bounded_and_a_replay_bounds_them_the_same_way() {
    let commands = training_day(30_000);
    let (store, ran) = stored(&commands, checkpoint::CHECKPOINT_EVERY);
    assert_eq!(ran.events().len(), snaplab_engine::lab::EVENTS_KEPT);
    let costs = ran.cost_history();
    assert!(
        costs.len() <= snaplab_engine::lab::COST_POINTS_KEPT,
        "{}",
        costs.len()
    );
    assert!(costs.len() > 1_000, "{}", costs.len());
    // Thinned, still in order, still ending with the newest cost.
    assert!(costs
        .iter()
        .zip(costs.iter().skip(1))
        .all(|(a, b)| a.operations < b.operations));
    assert_eq!(costs.last().unwrap().operations, ran.operations());
    // The newest event is the last command's.
    assert_eq!(
        ran.events().last().unwrap().operation,
        commands.last().unwrap().operation()
    );
    let opened = open_whole(store.records());
    assert!(opened.journal.lab() == &ran);
    assert!(Lab::replay(&commands) == ran);
}

/// Where to damage a format-5 checkpoint: the digest, and each section's
/// length, checksum and body (what, byte index).
fn format_5_places(bytes: &[u8]) -> Vec<(String, usize)> {
    assert_eq!(&bytes[..5], b"SLCP\x05", "a format-5 checkpoint");
    let mut places = vec![("the digest".to_string(), 5)];
    let mut at = 13;
    for name in ["state", "maps", "history"] {
        let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        assert!(len > 0, "the {name} section holds something");
        places.push((format!("the {name} section's length"), at));
        places.push((format!("the {name} section's checksum"), at + 8));
        places.push((format!("the {name} section's first byte"), at + 16));
        places.push((
            format!("the middle of the {name} section"),
            at + 16 + len / 2,
        ));
        places.push((format!("the {name} section's last byte"), at + 16 + len - 1));
        at += 16 + len;
    }
    assert_eq!(at, bytes.len(), "three sections and nothing after them");
    places
}

#[test]
fn a_format_5_checkpoint_with_one_byte_flipped_in_any_section_is_refused_and_the_log_replayed() {
    let (store, ran) = stored(&training_day(600), 256);
    let records = store.records().clone();
    let key = checkpoint_key(512);
    let opened = store::Journal::open(&records).unwrap();
    assert_eq!(
        opened.from_checkpoint,
        Some(512),
        "the intact one is believed"
    );
    assert!(same_state(opened.journal.lab(), &ran));
    for (what, at) in format_5_places(&records[&key]) {
        let mut damaged = records.clone();
        damaged.get_mut(&key).unwrap()[at] ^= 0x10;
        // The digest is the journal's to check; any other byte the
        // checkpoint's own checks refuse before anything is decoded.
        if !what.contains("digest") {
            let Err(refused) = checkpoint::decode(&damaged[&key], |_| None) else {
                panic!("{what} flipped: the checkpoint still decodes");
            };
            assert!(
                refused.contains("checksum") || refused.contains("ends too early"),
                "{what}: {refused}"
            );
        }
        let opened = store::Journal::open(&damaged).unwrap();
        assert_eq!(
            opened.from_checkpoint, None,
            "{what} flipped is not believed"
        );
        assert!(opened.recovery.deletes.contains(&key), "{what}");
        assert_eq!(opened.warnings.len(), 1, "{what}: {:?}", opened.warnings);
        assert!(
            same_state(opened.journal.lab(), &ran) && opened.journal.lab().has_whole_log(),
            "{what}: the replay is the lab that ran"
        );
    }
}
