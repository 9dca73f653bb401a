//! A lab file's checkpoint is trusted without decoding it whole only when
//! this installation sealed it (`persist::seal`). A checkpoint forged to
//! pass its sections' checksums, with its page maps made unreadable, is
//! then a cache miss at open (the log is replayed), not a wrong lab or a
//! stop when a map is first read.

mod common;

use snaplab_engine::checksum::xxh64;
use snaplab_engine::persist::plan::{OpenOptions, OpenPlan};
use snaplab_engine::persist::seal::SealKey;
use snaplab_engine::store::{drive, Journal, MemoryStore, Session};
use snaplab_engine::Lab;

const KEY: SealKey = [7; 16];

/// A stored lab with written disks and snapshots, checkpointed at its end,
/// by a host keeping `seal` (or none).
fn stored(seal: Option<SealKey>) -> (MemoryStore, Lab) {
    let mut store = MemoryStore::new();
    let outcome = drive(
        &mut store,
        OpenPlan::new(OpenOptions {
            repair_now: true,
            seal,
            ..OpenOptions::default()
        }),
    )
    .unwrap();
    let mut session = Session::opened(store, outcome);
    let mut lab = common::lab();
    common::create_disk(&mut lab, "disk1", "Premium_LRS", 4, 512);
    common::write(&mut lab, "disk1", 0, 8 << 20, 1).unwrap();
    common::snapshot(&mut lab, "disk1", "s1").unwrap();
    common::write(&mut lab, "disk1", 16 << 20, 1 << 20, 2).unwrap();
    common::snapshot(&mut lab, "disk1", "s2").unwrap();
    for command in lab.log() {
        session.execute(command.clone()).unwrap();
    }
    session.checkpoint().unwrap();
    let ran = session.lab().clone();
    (session.store().clone(), ran)
}

/// The checkpoint record's maps section replaced by zeros (every map
/// empty), its checksum made to match: a forgery that passes every check
/// opening makes lazily.
fn forge(records: &mut std::collections::BTreeMap<String, Vec<u8>>) {
    let key = records
        .keys()
        .find(|k| k.starts_with("checkpoint/"))
        .expect("a checkpoint")
        .clone();
    let bytes = records.get_mut(&key).unwrap();
    assert_eq!(&bytes[..4], b"SLCP");
    // Magic, the format (one byte, 5), the digest (8 bytes), then the
    // sections: state, maps, history, each its length and XXH64, then bytes.
    assert_eq!(bytes[4], 5);
    let mut at = 4 + 1 + 8;
    for section in 0..3 {
        let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        let body = at + 16..at + 16 + len;
        if section == 1 {
            assert!(len > 0, "the lab has maps");
            bytes[body.clone()].fill(0);
            let sum = xxh64(&bytes[body.clone()]);
            bytes[at + 8..at + 16].copy_from_slice(&sum.to_le_bytes());
        }
        at = body.end;
    }
}

fn disk_bytes(lab: &Lab) -> Vec<u8> {
    common::read_disk(lab, "disk1", 0, 4096)
}

#[test]
fn a_sealed_checkpoint_opens_from_the_checkpoint() {
    let (store, ran) = stored(Some(KEY));
    let records = store.records();
    assert!(
        records.keys().any(|k| k.starts_with("seal/checkpoint/")),
        "the checkpoint is sealed"
    );
    let opened = Journal::open_sealed(records, None, Some(&KEY)).unwrap();
    assert!(opened.from_checkpoint.is_some());
    assert!(opened.journal.lab().disks().eq(ran.disks()));
    // Under another key the same checkpoint is another's: decoded whole, and
    // as it is sound, still used.
    let other = Journal::open_sealed(records, None, Some(&[9; 16])).unwrap();
    assert!(other.from_checkpoint.is_some());
    assert!(other.journal.lab().disks().eq(ran.disks()));
}

#[test]
fn a_forged_checkpoint_not_sealed_here_is_replayed_past() {
    let (store, ran) = stored(Some(KEY));
    let mut records = store.records().clone();
    forge(&mut records);
    // This host's key: the forgery's seal does not match, so it is decoded
    // whole at open, refused, and the log replayed: the lab is the one that ran.
    let opened = Journal::open_sealed(&records, None, Some(&KEY)).unwrap();
    assert_eq!(opened.from_checkpoint, None, "{:?}", opened.warnings);
    assert!(opened.journal.lab().disks().eq(ran.disks()));
    assert_eq!(disk_bytes(opened.journal.lab()), disk_bytes(&ran));
    assert!(
        opened.warnings.iter().any(|w| w.contains("cannot be read")),
        "{:?}",
        opened.warnings
    );

    // Without a key (the lazy trust a host without one has), the forgery is
    // taken: its maps are wrong or stop the program when read. The seal is
    // what tells them apart.
    let trusting = Journal::open(&records).unwrap();
    assert!(trusting.from_checkpoint.is_some());
    let lab = trusting.journal.lab().clone();
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || disk_bytes(&lab)));
    assert!(
        read.map_or(true, |bytes| bytes != disk_bytes(&ran)),
        "the forged checkpoint read right without a seal: the test forged nothing"
    );
}

/// `snaplab check` decodes every checkpoint whole, sealed or not: the
/// forgery is named, and the lab still opens from its log.
#[test]
fn a_verified_open_finds_the_forgery_whoever_sealed_it() {
    let (store, ran) = stored(Some(KEY));
    let sound = Journal::open_verified(store.records()).unwrap();
    assert!(sound.from_checkpoint.is_some() && sound.warnings.is_empty());
    let mut records = store.records().clone();
    forge(&mut records);
    // Sealed again by the key, as a forger with the key could: verified anyway.
    let key = records
        .keys()
        .find(|k| k.starts_with("checkpoint/"))
        .unwrap()
        .clone();
    let resealed = snaplab_engine::persist::seal::seal(&KEY, &records[&key]);
    records.insert(snaplab_engine::persist::seal::record_key(&key), resealed);
    assert!(Journal::open_sealed(&records, None, Some(&KEY))
        .unwrap()
        .from_checkpoint
        .is_some());
    let verified = Journal::open_verified(&records).unwrap();
    assert_eq!(verified.from_checkpoint, None);
    assert!(verified
        .warnings
        .iter()
        .any(|w| w.contains("cannot be read")));
    assert!(verified.journal.lab().disks().eq(ran.disks()));
}
