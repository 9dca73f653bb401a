//! Storage: every operation is one atomic batch; a reopened store replays to
//! the same lab; blobs of real bytes are stored once and freed exactly when
//! nothing refers to them; a failed or interrupted operation leaves the
//! previous state; exported files round-trip and damaged ones are refused.

use snaplab_engine::cmd;
use std::collections::BTreeMap;

use proptest::prelude::*;
use snaplab_engine::store::{
    self, Batch, BlockStore, FaultyStore, Journal, MemoryStore, Session, CHUNK_SIZE,
};
use snaplab_engine::{AccessTarget, Command, Lab, PatternKind, WriteData};

fn write_bytes(disk: &str, offset: u64, bytes: Vec<u8>) -> Command {
    Command::Write(cmd::Write {
        group: "rg".into(),
        disk: disk.into(),
        offset,
        data: WriteData::bytes(bytes),
    })
}

fn snapshot(name: &str, disk: &str) -> Command {
    Command::CreateSnapshot(cmd::CreateSnapshot {
        group: "rg".into(),
        name: name.into(),
        source: disk.into(),
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    })
}

fn setup() -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)),
    ]
}

/// Everything a user can see of a lab, to compare two of them.
fn picture(lab: &Lab) -> String {
    let mut out = format!("{:?}\n", lab.now());
    for d in lab.disks() {
        let bytes = d.data.read(0, 1 << 20).unwrap();
        out += &format!(
            "disk {} {} {} {:?} {:x}\n",
            d.at.name,
            d.unique_id,
            d.data.used_bytes(),
            d.data.page_map().written_ranges(),
            snaplab_engine::checksum::stable_hash_bytes(&bytes)
        );
    }
    for s in lab.snapshots() {
        let mut bytes = vec![0; 1 << 20];
        s.content.read_into(0, &mut bytes);
        out += &format!(
            "snap {} {} {} {:x}\n",
            s.at.name,
            s.unique_id,
            s.used_bytes(),
            snaplab_engine::checksum::stable_hash_bytes(&bytes)
        );
    }
    out
}

#[test]
fn a_reopened_store_replays_to_the_same_lab_and_keeps_bytes_in_64_kib_chunks() {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in setup() {
        session.execute(c).unwrap();
    }
    let upload: Vec<u8> = (0..200 * 1024).map(|i| (i % 253) as u8).collect();
    session
        .execute(write_bytes("d", 0, upload.clone()))
        .unwrap();
    session
        .execute(Command::Write(cmd::Write {
            group: "rg".into(),
            disk: "d".into(),
            offset: 1 << 20,
            data: WriteData::Pattern {
                pattern: PatternKind::Random,
                seed: 3,
                length: 8192,
            },
        }))
        .unwrap();
    session.execute(snapshot("s1", "d")).unwrap();
    session
        .execute(Command::AdvanceClock(cmd::AdvanceClock { millis: 90_000 }))
        .unwrap();

    let keys = session.store().keys("chunk/").unwrap();
    assert_eq!(keys.len(), 4, "200 KiB in 64 KiB chunks");
    assert_eq!(
        session.store().get(&keys[3]).unwrap().unwrap().len(),
        200 * 1024 - 3 * CHUNK_SIZE
    );
    assert_eq!(
        session.store().keys("log/").unwrap().len(),
        6,
        "one log entry per operation"
    );
    let log = String::from_utf8(session.store().get("log/000000000003").unwrap().unwrap()).unwrap();
    assert!(
        log.contains("\"stored\"") && !log.contains("bytes"),
        "the log names the blob, never holds the bytes: {log}"
    );

    let reopened = Session::open(session.store().clone()).unwrap();
    assert_eq!(picture(reopened.lab()), picture(session.lab()));
    assert_eq!(
        reopened
            .lab()
            .find_disk("rg", "d")
            .unwrap()
            .data
            .read(0, upload.len() as u64)
            .unwrap(),
        upload
    );
}

#[test]
fn a_snapshot_stores_only_metadata_and_shares_the_disks_blobs() {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in setup() {
        session.execute(c).unwrap();
    }
    session
        .execute(write_bytes("d", 0, vec![1; 256 * 1024]))
        .unwrap();
    let before = session.store().len();
    for i in 0..5 {
        session.execute(snapshot(&format!("s{i}"), "d")).unwrap();
    }
    assert_eq!(
        session.store().len(),
        before + 5,
        "five log entries, no chunk copies"
    );
}

#[test]
fn a_failed_commit_changes_neither_the_store_nor_the_lab() {
    let commands: Vec<Command> = setup()
        .into_iter()
        .chain([
            write_bytes("d", 0, vec![0xAB; 1024]),
            snapshot("s1", "d"),
            write_bytes("d", 4096, vec![7; 70_000 / 512 * 512]),
        ])
        .collect();
    // Commits: 1 = recovery (schema record), then one per command; fail the 6th (the last write).
    let mut session = Session::open(FaultyStore::new(MemoryStore::new(), Some(6))).unwrap();
    for c in &commands[..4] {
        session.execute(c.clone()).unwrap();
    }
    let records_before = session.store().inner.clone();
    let picture_before = picture(session.lab());
    let err = session.execute(commands[4].clone()).unwrap_err();
    assert_eq!(err.code(), "QuotaExceeded");
    assert!(
        err.to_string().contains("nothing stored was changed"),
        "{err}"
    );
    assert_eq!(
        picture(session.lab()),
        picture_before,
        "the lab is as before"
    );
    assert_eq!(
        session.store().inner,
        records_before,
        "the store is as before"
    );
    // The same operation succeeds once storage works again, and survives a reopen.
    session.execute(commands[4].clone()).unwrap();
    let reopened = Session::open(session.store().inner.clone()).unwrap();
    assert_eq!(picture(reopened.lab()), picture(session.lab()));
}

#[test]
fn an_operation_interrupted_before_its_commit_record_is_rolled_back_on_open() {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in setup() {
        session.execute(c).unwrap();
    }
    session.execute(write_bytes("d", 0, vec![5; 4096])).unwrap();
    let picture_before = picture(session.lab());
    // The tab dies after the chunks of a big write are stored but before its log entry.
    let prepared = session
        .journal()
        .prepare(write_bytes("d", 8192, vec![6; 3 * CHUNK_SIZE]));
    let chunks: Vec<_> = prepared
        .batch
        .puts
        .iter()
        .filter(|(k, _)| k.starts_with("chunk/"))
        .cloned()
        .collect();
    assert_eq!(chunks.len(), 3);
    let mut store = session.store().clone();
    store
        .commit(Batch {
            puts: chunks,
            deletes: vec![],
            strict: false,
        })
        .unwrap();

    let recovered = Session::open(store).unwrap();
    assert_eq!(
        picture(recovered.lab()),
        picture_before,
        "the state before the operation"
    );
    assert_eq!(
        recovered.store().keys("chunk/").unwrap().len(),
        1,
        "the orphan chunks were swept"
    );
}

#[test]
fn a_store_written_by_a_newer_schema_is_refused_with_a_clear_message() {
    let mut records = BTreeMap::new();
    records.insert(store::SCHEMA_KEY.to_string(), b"7".to_vec());
    let err = Journal::open(&records).unwrap_err();
    assert_eq!(err.code(), "InvalidStoredLab");
    assert!(
        err.to_string().contains("newer Snaplab (schema 7)"),
        "{err}"
    );
    let mut records = BTreeMap::new();
    records.insert("log/000000000001".to_string(), b"{not json".to_vec());
    records.insert(store::SCHEMA_KEY.to_string(), b"1".to_vec());
    let err = Journal::open(&records).unwrap_err();
    assert!(
        err.to_string().contains("log/000000000001 is unreadable"),
        "{err}"
    );
}

#[test]
fn export_round_trips_byte_for_byte_and_damaged_or_foreign_files_are_refused() {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in setup() {
        session.execute(c).unwrap();
    }
    session
        .execute(write_bytes(
            "d",
            0,
            (0..100_000 / 512 * 512).map(|i| i as u8).collect(),
        ))
        .unwrap();
    session.execute(snapshot("s1", "d")).unwrap();
    let file = store::export(session.store().records());
    let records = snaplab_engine::state_file::load_whole(file.as_slice())
        .unwrap()
        .records;
    assert_eq!(&records, session.store().records());
    assert_eq!(store::export(&records), file, "byte for byte");
    // An import is the same records, plus a checkpoint made by replaying them.
    let mut imported = store::import(&file).unwrap();
    assert!(imported
        .remove(&snaplab_engine::checkpoint::checkpoint_key(4))
        .is_some());
    assert_eq!(&imported, session.store().records());

    let mut damaged = file.clone();
    damaged[40] ^= 1;
    assert!(store::import(&damaged)
        .unwrap_err()
        .to_string()
        .contains("checksum"));
    assert!(store::import(b"PK\x03\x04 a zip file, not a lab")
        .unwrap_err()
        .to_string()
        .contains("not a Snaplab lab file"));
    assert!(store::import(&file[..file.len() - 9]).is_err());
    // A state file the native program appended to imports whole; one that
    // ends partway through its last save is refused.
    let appended = snaplab_engine::state_file::write_new(session.store().records());
    assert!(store::import(&appended).is_ok());
    let err = store::import(&appended[..appended.len() - 3]).unwrap_err();
    assert!(err.to_string().contains("are not a whole save"), "{err}");
}

// ---- garbage collection ----------------------------------------------------------

#[derive(Debug, Clone)]
enum GcOp {
    Upload {
        disk: usize,
        page: u64,
        pages: u64,
        fill: u8,
    },
    Overwrite {
        disk: usize,
        page: u64,
        pages: u64,
    },
    Trim {
        disk: usize,
        page: u64,
        pages: u64,
    },
    Snapshot {
        disk: usize,
    },
    DeleteSnapshot {
        index: usize,
    },
    Restore {
        index: usize,
    },
    DeleteDisk {
        disk: usize,
    },
    Grant {
        index: usize,
    },
}

fn gc_op() -> impl Strategy<Value = GcOp> {
    prop_oneof![
        4 => (0usize..3, 0u64..300, 1u64..200, any::<u8>()).prop_map(|(disk, page, pages, fill)| GcOp::Upload { disk, page, pages, fill }),
        2 => (0usize..3, 0u64..300, 1u64..300).prop_map(|(disk, page, pages)| GcOp::Overwrite { disk, page, pages }),
        2 => (0usize..3, 0u64..300, 1u64..300).prop_map(|(disk, page, pages)| GcOp::Trim { disk, page, pages }),
        3 => (0usize..3).prop_map(|disk| GcOp::Snapshot { disk }),
        3 => (0usize..8).prop_map(|index| GcOp::DeleteSnapshot { index }),
        2 => (0usize..8).prop_map(|index| GcOp::Restore { index }),
        1 => (0usize..3).prop_map(|disk| GcOp::DeleteDisk { disk }),
        1 => (0usize..8).prop_map(|index| GcOp::Grant { index }),
    ]
}

fn check_gc(session: &Session<MemoryStore>) -> Result<(), TestCaseError> {
    let lab = session.lab();
    let stored: std::collections::BTreeSet<u64> = session
        .store()
        .keys("chunk/")
        .unwrap()
        .iter()
        .map(|k| {
            k["chunk/".len()..]
                .split('/')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let referenced: std::collections::BTreeSet<u64> =
        lab.page_maps().flat_map(|m| m.all_blobs()).collect();
    // Never free a blob still referenced…
    for blob in &referenced {
        prop_assert!(
            stored.contains(blob),
            "blob {} is referenced but its chunks are gone",
            blob
        );
    }
    // …and free every one that is not.
    prop_assert_eq!(
        &stored,
        &referenced,
        "stored blobs must be exactly the referenced ones"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn gc_frees_exactly_the_blobs_nothing_refers_to(ops in prop::collection::vec(gc_op(), 1..30)) {
        let mut session = Session::open(MemoryStore::new()).unwrap();
        session.execute(Command::CreateGroup(cmd::CreateGroup { name: "rg".into(), location: "westeurope".into() })).unwrap();
        let mut disks: Vec<Option<String>> = Vec::new();
        for i in 0..3 {
            session.execute(Command::CreateDisk(cmd::CreateDisk::premium("rg", &format!("d{i}"), 1))).unwrap();
            disks.push(Some(format!("d{i}")));
        }
        let mut snapshots: Vec<String> = Vec::new();
        let mut n = 0;
        for op in ops {
            n += 1;
            let disk_name = |i: usize| disks[i % disks.len()].clone();
            match op {
                GcOp::Upload { disk, page, pages, fill } => if let Some(d) = disk_name(disk) {
                    session.execute(write_bytes(&d, page * 512, vec![fill; (pages * 512) as usize])).unwrap();
                },
                GcOp::Overwrite { disk, page, pages } => if let Some(d) = disk_name(disk) {
                    session.execute(Command::Write(cmd::Write { group: "rg".into(), disk: d, offset: page * 512, data: WriteData::Pattern { pattern: PatternKind::Fill, seed: 1, length: pages * 512 } })).unwrap();
                },
                GcOp::Trim { disk, page, pages } => if let Some(d) = disk_name(disk) {
                    session.execute(Command::Clear(cmd::Clear { group: "rg".into(), disk: d, offset: page * 512, length: pages * 512 })).unwrap();
                },
                GcOp::Snapshot { disk } => if let Some(d) = disk_name(disk) {
                    session.execute(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 })).unwrap();
                    session.execute(snapshot(&format!("s{n}"), &d)).unwrap();
                    snapshots.push(format!("s{n}"));
                },
                GcOp::DeleteSnapshot { index } => if !snapshots.is_empty() {
                    let name = snapshots.remove(index % snapshots.len());
                    session.execute(Command::DeleteSnapshot(cmd::DeleteSnapshot { group: "rg".into(), name })).unwrap();
                },
                GcOp::Restore { index } => if !snapshots.is_empty() {
                    let source = snapshots[index % snapshots.len()].clone();
                    session.execute(Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot { group: "rg".into(), name: format!("r{n}"), source, sku: None, size_gib: None })).unwrap();
                    disks.push(Some(format!("r{n}")));
                },
                GcOp::DeleteDisk { disk } => if let Some(d) = disk_name(disk) {
                    session.execute(Command::DeleteDisk(cmd::DeleteDisk { group: "rg".into(), name: d })).unwrap();
                    let i = disk % disks.len();
                    disks[i] = None;
                },
                GcOp::Grant { index } => if !snapshots.is_empty() {
                    let name = snapshots[index % snapshots.len()].clone();
                    let _ = session.execute(Command::GrantAccess(cmd::GrantAccess { target: AccessTarget::Snapshot, group: "rg".into(), name, duration_seconds: 60, access: Default::default() }));
                },
            }
            check_gc(&session)?;
        }
        // Freed blobs replay as zeros nobody can read: the reopened lab looks the same.
        let reopened = Session::open(session.store().clone()).unwrap();
        prop_assert_eq!(picture(reopened.lab()), picture(session.lab()));
    }
}

#[test]
fn records_for_a_log_prefix_replay_to_the_lab_at_that_point() {
    // Undo and time travel build the stored lab from a prefix of the log.
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in setup() {
        session.execute(c).unwrap();
    }
    session.execute(write_bytes("d", 0, vec![1; 4096])).unwrap();
    session.execute(snapshot("s1", "d")).unwrap();
    session.execute(write_bytes("d", 0, vec![2; 8192])).unwrap();
    session
        .execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group: "rg".into(),
            name: "s1".into(),
        }))
        .unwrap();
    let log: Vec<Command> = session.lab().log().cloned().collect();
    for k in 0..=log.len() {
        let (records, journal) = store::records_for(log.iter().take(k).cloned()).unwrap();
        let replayed = Lab::replay(log.iter().take(k));
        assert_eq!(
            picture(journal.lab()),
            picture(&replayed),
            "after {k} operations"
        );
        // The records open to the same lab (what a reload after undo shows).
        let reopened = Journal::open(&records).unwrap().journal;
        assert_eq!(
            picture(reopened.lab()),
            picture(&replayed),
            "reopened after {k} operations"
        );
    }
    // Undoing the delete brings s1 back, with the bytes it had.
    let (_, journal) = store::records_for(log.iter().take(log.len() - 1).cloned()).unwrap();
    let s1 = journal.lab().find_snapshot("rg", "s1").unwrap();
    let mut bytes = vec![0; 4096];
    s1.content.read_into(0, &mut bytes);
    assert_eq!(bytes, vec![1; 4096]);
}
