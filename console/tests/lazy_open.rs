//! Opening a stored lab decodes only the page maps a command reads
//! (issue 20 item 9): listing groups and disks decodes none, and reading a
//! map decodes it and the maps it is encoded over, no others. Listing
//! decodes no history either (checkpoint format 5).

use snaplab_console::Console;
use snaplab_engine::checkpoint::decoded_histories;
use snaplab_engine::lab::Lab;
use snaplab_engine::page_map::decoded_maps;
use snaplab_engine::store::{self, BlockStore, MemoryStore, Session};
use snaplab_engine::testkit::workload::training_day;

/// A day-shaped lab of `ops` operations, stored with a checkpoint at its
/// end (so opening replays nothing), opened again through the open plan.
fn reopened(ops: usize) -> Lab {
    let (records, _) = store::records_for(training_day("rg", "d", ops)).unwrap();
    let mut memory = MemoryStore::new();
    memory
        .commit(store::Batch {
            puts: records
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect(),
            ..Default::default()
        })
        .unwrap();
    Session::open(memory).unwrap().lab().clone()
}

/// The lab's snapshots, oldest first.
fn snapshots_by_age(lab: &Lab) -> Vec<&snaplab_engine::model::Snapshot> {
    let mut all: Vec<_> = lab.snapshots().collect();
    all.sort_by_key(|s| s.seq);
    all
}

#[test]
fn listing_groups_and_disks_decodes_no_page_map() {
    let before = decoded_maps();
    let histories = decoded_histories();
    let lab = reopened(600);
    assert_eq!(decoded_maps(), before, "opening decodes no page map");
    let snapshots = snapshots_by_age(&lab);
    assert_eq!(snapshots.len(), 20, "the day keeps its 20 newest snapshots");
    assert!(snapshots.iter().all(|s| s.content.is_pending()));
    // The oldest snapshot changed every range the day wrote before it.
    assert!(snapshots[0].delta.range_count() > 100);
    assert!(snapshots.iter().all(|s| s.delta.is_pending()));

    let mut console = Console::new(lab);
    let groups = console.run("az group list --query \"[].name\" -o tsv\n");
    assert_eq!(groups.stdout(), "rg\n", "{}", groups.stderr());
    let disks = console.run("az disk list -g rg --query \"[].name\" -o tsv\n");
    assert_eq!(disks.stdout(), "d\n", "{}", disks.stderr());
    assert_eq!(decoded_maps(), before, "listing decodes no page map");
    assert_eq!(
        decoded_histories(),
        histories,
        "listing decodes no history (events, cost points, days)"
    );
    let lab = console.into_parts().0;
    assert!(lab.snapshots().all(|s| s.delta.is_pending()));
    assert!(lab.history_is_pending());
}

#[test]
fn the_first_read_decodes_exactly_the_maps_it_needs() {
    let lab = reopened(600);
    let snapshots = snapshots_by_age(&lab);
    let disk = lab.disks().next().unwrap();
    // Used sizes come from the stored counts, without decoding.
    let start = decoded_maps();
    assert!(disk.data.used_bytes() > 0);
    assert!(snapshots[0].content.written_pages() > 0);
    assert_eq!(decoded_maps(), start);

    // The oldest snapshot's map is stored in full: reading it decodes one.
    let oldest = snapshots[0].content.written_ranges();
    assert!(!oldest.is_empty());
    assert_eq!(decoded_maps(), start + 1);
    assert!(snapshots[1..].iter().all(|s| s.content.is_pending()));
    assert!(disk.data.page_map().is_pending());

    // The newest is stored over the one before it, and so on down to the
    // oldest: reading it decodes the 19 of that chain, not the disk's.
    snapshots[19].content.written_ranges();
    assert_eq!(decoded_maps(), start + 20);
    assert!(disk.data.page_map().is_pending());

    // The disk's map is stored over the newest snapshot: one more, once.
    disk.data.read(0, 4096).unwrap();
    disk.data.read(4096, 4096).unwrap();
    assert_eq!(decoded_maps(), start + 21);
    assert!(!disk.data.page_map().is_pending());
}
