//! The storage trait: every operation is one atomic commit of its log entry,
//! a reopened store replays to the same lab, and a failed commit (injected,
//! as redb injects I/O faults) leaves both the store and the lab as they were.

use snaplab_engine::store::{BlockStore, FaultyStore, MemoryStore, Session};
use snaplab_engine::{Command, PatternKind, WriteData};

fn commands() -> Vec<Command> {
    vec![
        Command::CreateGroup { name: "rg".into(), location: "westeurope".into() },
        Command::CreateDisk { group: "rg".into(), name: "d".into(), location: None, sku: "Premium_LRS".into(), size_gib: 4, logical_sector_size: 512 },
        Command::Write { group: "rg".into(), disk: "d".into(), offset: 0, data: WriteData::Bytes { bytes: vec![0xAB; 1024] } },
        Command::Write { group: "rg".into(), disk: "d".into(), offset: 4096, data: WriteData::Pattern { pattern: PatternKind::Random, seed: 3, length: 8192 } },
        Command::CreateSnapshot { group: "rg".into(), name: "s1".into(), source: "d".into(), incremental: true, sku: None, location: None, copy_start: false },
        Command::AdvanceClock { millis: 90_000 },
    ]
}

#[test]
fn a_reopened_store_replays_to_the_same_lab() {
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for c in commands() {
        session.execute(c).unwrap();
    }
    assert_eq!(session.store().len(), 6, "one log entry per operation");
    let store = session.store().clone();
    let reopened = Session::open(store).unwrap();
    let (a, b) = (session.lab(), reopened.lab());
    assert_eq!(a.now(), b.now());
    let (sa, sb) = (a.find_snapshot("rg", "s1").unwrap(), b.find_snapshot("rg", "s1").unwrap());
    assert_eq!(sa.unique_id, sb.unique_id);
    assert_eq!(sa.used_bytes(), 1024 + 8192);
    let read = |lab: &snaplab_engine::Lab| lab.find_disk("rg", "d").unwrap().data.read(0, 16384).unwrap();
    assert_eq!(read(a), read(b));
    assert_eq!(&read(b)[..1024], &[0xAB; 1024][..]);
}

#[test]
fn a_failed_commit_changes_neither_the_store_nor_the_lab() {
    let commands = commands();
    let mut session = Session::open(FaultyStore::new(MemoryStore::new(), Some(5))).unwrap();
    for c in &commands[..4] {
        session.execute(c.clone()).unwrap();
    }
    let err = session.execute(commands[4].clone()).unwrap_err();
    assert_eq!(err.code(), "QuotaExceeded");
    assert!(err.to_string().contains("nothing stored was changed"), "{err}");
    assert!(session.lab().find_snapshot("rg", "s1").is_err(), "the lab is as before");
    assert_eq!(session.lab().log().len(), 4);
    assert_eq!(session.store().inner.keys("log/").unwrap().len(), 4, "the store is as before");
    // The same operation succeeds once storage works again.
    session.execute(commands[4].clone()).unwrap();
    assert!(session.lab().find_snapshot("rg", "s1").is_ok());
    let reopened = Session::open(session.store().inner.clone()).unwrap();
    assert_eq!(reopened.lab().snapshots().count(), 1);
}

#[test]
fn an_unreadable_log_entry_is_reported_not_replayed() {
    let mut store = MemoryStore::new();
    store.commit(snaplab_engine::store::Batch { puts: vec![("log/000000000001".into(), b"{not json".to_vec())], deletes: vec![] }).unwrap();
    let err = Session::open(store).err().expect("refused");
    assert_eq!(err.code(), "InvalidStoredLab");
    assert!(err.to_string().contains("log/000000000001 is unreadable"), "{err}");
}
