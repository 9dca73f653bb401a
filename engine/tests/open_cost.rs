//! What opening a long day's lab decodes and reads (issue 20 item 9),
//! counted rather than timed: a day of 30,000 operations (scattered
//! writes, rotated snapshots, clock advances) opens from its newest
//! checkpoint, decoding only the log from the checkpoint on and reading
//! only the records it opens from; closed with a checkpoint, it decodes
//! no page map and no history, through a store and through a `--state`
//! file alike; what a listing reads decodes neither, and the history is
//! decoded once, when something first reads it.

use std::cell::Cell;

use snaplab_engine::checkpoint::{decoded_histories, CHECKPOINT_EVERY};
use snaplab_engine::page_map::decoded_maps;
use snaplab_engine::state::EVENTS_KEPT;
use snaplab_engine::state_file;
use snaplab_engine::store::{
    self, decoded_log_entries, BlockStore, KeyRange, MemoryStore, Session, StoreError,
};
use snaplab_engine::testkit::workload::training_day;

/// A store that counts the records it hands out.
struct Counting {
    inner: MemoryStore,
    read: Cell<usize>,
}

impl BlockStore for Counting {
    fn commit(&mut self, batch: store::Batch) -> Result<(), StoreError> {
        self.inner.commit(batch)
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read.set(self.read.get() + 1);
        self.inner.get(key)
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.keys(prefix)
    }
    fn range(&self, range: &KeyRange) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let records = self.inner.range(range)?;
        self.read.set(self.read.get() + records.len());
        Ok(records)
    }
}

/// Opens `memory` through the open plan: (records read, log entries
/// decoded, page maps decoded, operations).
fn open_counted(memory: &MemoryStore) -> (usize, u64, u64, usize) {
    let (entries, maps) = (decoded_log_entries(), decoded_maps());
    let session = Session::open(Counting {
        inner: memory.clone(),
        read: Cell::new(0),
    })
    .unwrap();
    (
        session.store().read.get(),
        decoded_log_entries() - entries,
        decoded_maps() - maps,
        session.lab().operations(),
    )
}

#[test]
fn a_day_of_30000_operations_opens_from_its_checkpoint_decoding_only_what_it_needs() {
    let day = training_day("rg", "d", 30_000);
    let ops = day.len();
    // As a host stores it: a checkpoint every CHECKPOINT_EVERY entries,
    // written by the journal, and the entries since.
    let mut session = Session::open(MemoryStore::new()).unwrap();
    for command in day {
        session.execute(command).unwrap();
    }
    let since = ops % CHECKPOINT_EVERY;
    assert!(since > 0, "the day ends between checkpoints");
    let stored = session.store().clone();
    assert!(stored.len() > ops, "every entry is stored");

    let (read, entries, maps, opened) = open_counted(&stored);
    assert_eq!(opened, ops);
    // The checkpoint's own entry (where the log read starts) and those after it.
    assert_eq!(
        entries as usize,
        since + 1,
        "only the log from the checkpoint is decoded"
    );
    // The schema, the digest, the checkpoint and those entries.
    assert_eq!(read, since + 4, "only what the lab opens from is read");
    // Replaying writes reads the disk's map, which is stored over its
    // snapshots' (20 kept): at most that chain, never more.
    assert!(maps <= 21, "{maps} page maps decoded to replay the tail");

    // Closed with a checkpoint (as a program does): nothing is replayed,
    // and no page map is decoded.
    session.checkpoint().unwrap();
    let stored = session.store().clone();
    let (read, entries, maps, opened) = open_counted(&stored);
    assert_eq!((read, entries, maps, opened), (4, 1, 0, ops));

    // Through a --state file: its index, the same records, the same counts.
    let file = state_file::write_new(stored.records());
    let (entries, maps) = (decoded_log_entries(), decoded_maps());
    let histories = decoded_histories();
    let (session, loaded) = state_file::open(Some(file.as_slice()), None).unwrap();
    let loaded = loaded.unwrap();
    assert!(!loaded.whole, "opened through its index");
    assert_eq!(
        loaded.records.len(),
        4,
        "the index names only what it opens from"
    );
    assert_eq!(session.lab().operations(), ops);
    assert_eq!(decoded_log_entries() - entries, 1);
    assert_eq!(decoded_maps() - maps, 0);
    assert_eq!(decoded_histories() - histories, 0, "no history decoded");
}

#[test]
fn listing_decodes_no_history_and_no_map_and_the_history_is_decoded_once_when_read() {
    // A day closed with a checkpoint, as a program leaves it.
    let (records, _) = store::records_for(training_day("rg", "d", 30_000)).unwrap();
    let mut memory = MemoryStore::new();
    memory
        .commit(store::Batch {
            puts: records.into_iter().map(|(k, v)| (k, v.into())).collect(),
            ..Default::default()
        })
        .unwrap();
    let (maps, histories) = (decoded_maps(), decoded_histories());
    let session = Session::open(memory).unwrap();
    let lab = session.lab();
    // What `az group list`, `az disk list` and `az snapshot list` read:
    // names, sizes, used sizes (from the stored counts).
    let groups: Vec<&str> = lab.groups().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, ["rg"]);
    assert!(lab.disks().all(|d| d.data.used_bytes() > 0));
    assert_eq!(lab.snapshots().count(), 20);
    assert!(lab.snapshots().all(|s| s.used_bytes() > 0));
    assert_eq!(decoded_maps() - maps, 0, "listing decodes no page map");
    assert_eq!(decoded_histories() - histories, 0, "nor the history");
    assert!(lab.history_is_pending());

    // Reading the history (the activity log, the cost chart) decodes it
    // once, for this lab and every clone of it.
    let copy = lab.clone();
    assert_eq!(lab.events().count(), EVENTS_KEPT);
    assert!(!lab.cost_history().is_empty());
    assert_eq!(copy.events().count(), EVENTS_KEPT);
    assert!(!copy.history_is_pending());
    assert_eq!(decoded_histories() - histories, 1, "decoded once");
    assert_eq!(decoded_maps() - maps, 0, "still no page map");
}
