//! The persistence core: one open plan driven by each host, checkpoints
//! believed only when they match their log, read-only runs that write
//! nothing, and crafted lab files (made by `crafted/`, the corpus
//! generator) that each end clearly, quickly and with the file unchanged.

mod crafted;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use snaplab_engine::state_file::{self, Save};
use snaplab_engine::store::{self, BlockStore, MemoryStore, Need, OpenOptions, OpenPlan, Session};
use snaplab_engine::Lab;

fn snapshots(lab: &Lab) -> Vec<String> {
    lab.snapshots().map(|s| s.at.name.clone()).collect()
}

/// Drives the plan over `store`, noting each need's kind.
fn drive(store: &mut MemoryStore) -> (Vec<&'static str>, store::Outcome) {
    let mut plan = OpenPlan::new(OpenOptions::default());
    let mut seen = Vec::new();
    loop {
        match plan.need() {
            Need::CheckpointKeys => {
                seen.push("keys");
                plan.checkpoint_keys(&store.keys("checkpoint/").unwrap());
            }
            Need::Recent(ranges) => {
                seen.push("recent");
                let records = store
                    .records()
                    .iter()
                    .filter(|(k, _)| ranges.iter().any(|r| r.contains(k)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                plan.records(records).unwrap();
            }
            Need::Everything => {
                seen.push("everything");
                plan.records(store.records().clone()).unwrap();
            }
            Need::Commit { batch, .. } => {
                seen.push("commit");
                store.commit(batch).unwrap();
                plan.committed();
            }
            Need::Done => return (seen, plan.finish()),
        }
    }
}

fn memory(records: BTreeMap<String, Vec<u8>>) -> MemoryStore {
    let mut store = MemoryStore::new();
    store
        .commit(store::Batch {
            puts: records.into_iter().map(|(k, v)| (k, v.into())).collect(),
            ..Default::default()
        })
        .unwrap();
    store
}

#[test]
fn the_open_plan_reads_the_checkpoint_keys_then_only_what_a_lab_opens_from() {
    let (records, _) = store::records_for(crafted::setup("a-snap", 7)).unwrap();
    let mut store = memory(records);
    let (seen, outcome) = drive(&mut store);
    assert_eq!(seen, ["keys", "recent"]);
    assert_eq!(outcome.from_checkpoint, Some(4));
    assert!(!outcome.read_everything);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(snapshots(outcome.journal.lab()), ["a-snap"]);
    // A new store: its schema record is committed, then the starters.
    let mut empty = MemoryStore::new();
    let mut plan = OpenPlan::new(OpenOptions {
        new_lab_id: Some("lab-1".into()),
        starters: crafted::setup("starter", 1),
        repair_now: false,
        seal: None,
    });
    let mut commits = 0;
    loop {
        match plan.need() {
            Need::CheckpointKeys => plan.checkpoint_keys(&[]),
            Need::Everything => plan.records(BTreeMap::new()).unwrap(),
            Need::Recent(_) => panic!("no checkpoint: everything is what it opens from"),
            Need::Commit { batch, fence } => {
                assert_eq!(
                    fence.is_some(),
                    commits > 0,
                    "the first commit names the lab"
                );
                commits += 1;
                empty.commit(batch).unwrap();
                plan.committed();
            }
            Need::Done => break,
        }
    }
    let outcome = plan.finish();
    assert_eq!(commits, 5, "setup, then the four starters");
    assert_eq!(outcome.lab_id.as_deref(), Some("lab-1"));
    assert_eq!(outcome.journal.entries(), 4);
    let reopened = Session::open(empty).unwrap();
    assert_eq!(snapshots(reopened.lab()), ["starter"]);
}

#[test]
fn a_checkpoint_from_another_lab_is_not_believed_by_any_host() {
    let file = crafted::foreign_checkpoint();
    let records = state_file::load_whole(file.as_slice()).unwrap().records;
    // Native in-memory host: the plan falls back to the whole log.
    let (seen, outcome) = drive(&mut memory(records.clone()));
    assert_eq!(seen, ["keys", "recent", "everything"]);
    assert_eq!(outcome.from_checkpoint, None);
    assert_eq!(snapshots(outcome.journal.lab()), ["a-snap"]);
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("does not match the log")),
        "{:?}",
        outcome.warnings
    );
    let session = Session::open(memory(records)).unwrap();
    assert_eq!(snapshots(session.lab()), ["a-snap"]);
    // The state file host.
    let (session, loaded) = state_file::open(Some(file.as_slice()), None).unwrap();
    assert_eq!(snapshots(session.lab()), ["a-snap"]);
    assert!(!session.warnings().is_empty());
    assert!(
        loaded.unwrap().whole,
        "it fell back to reading the file whole"
    );
}

#[test]
fn a_read_only_run_on_a_crafted_file_deletes_nothing_and_a_writing_run_keeps_real_bytes() {
    let file = crafted::foreign_checkpoint();
    let (mut session, loaded) = state_file::open(Some(file.as_slice()), None).unwrap();
    assert!(
        session
            .repairs()
            .deletes
            .iter()
            .all(|k| !k.starts_with("chunk/")),
        "real bytes are never swept: {:?}",
        session.repairs()
    );
    let save = state_file::save(&mut session, loaded.as_ref(), Some(file.as_slice())).unwrap();
    assert_eq!(save, Save::Nothing, "a read-only run writes nothing");
    // A writing run drops the foreign checkpoint and keeps the lab's bytes.
    let after = crafted::run(Some(file.clone()), &crafted::setup("later", 5)[3..]);
    let (session, _) = state_file::open(Some(after.as_slice()), None).unwrap();
    assert_eq!(snapshots(session.lab()), ["a-snap", "later"]);
    assert!(session.warnings().is_empty(), "{:?}", session.warnings());
    let disk = session.lab().disks().next().unwrap();
    assert_eq!(disk.data.read(0, 4096).unwrap(), vec![7; 4096]);
}

/// How each crafted file must end: opened to lab "a" (passing over what
/// cannot be trusted, and saying so), or refused with a clear error.
#[test]
fn every_crafted_lab_file_ends_clearly_within_bounds_and_is_left_unchanged() {
    let a = crafted::lab_a();
    let (a_session, _) = state_file::open(Some(a.as_slice()), None).unwrap();
    let a_lab = snapshots(a_session.lab());
    for (name, file) in crafted::all() {
        let before = file.clone();
        let started = Instant::now();
        let opened = state_file::open(Some(file.as_slice()), None);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name} took {:?}",
            started.elapsed()
        );
        match (name, opened) {
            (
                "foreign-checkpoint.snaplab" | "checkpoint-back-references.snaplab",
                Ok((mut s, l)),
            ) => {
                assert_eq!(snapshots(s.lab()), a_lab, "{name}");
                assert!(!s.warnings().is_empty(), "{name} is reported");
                let save = state_file::save(&mut s, l.as_ref(), Some(file.as_slice())).unwrap();
                assert_eq!(save, Save::Nothing, "{name}");
            }
            (_, Ok(_)) => panic!("{name} was opened"),
            (_, Err(e)) => {
                let expected = match name {
                    "index-one-region.snaplab" => "index names more bytes than the file",
                    "checkpoint-claiming-2gib.snaplab" => "blob 1",
                    "damaged-middle-frame.snaplab" => "does not match its checksum",
                    "damaged-base.snaplab" => "its base",
                    _ => panic!("{name} was refused: {e}"),
                };
                assert!(
                    matches!(e.code(), "InvalidLabFile" | "InvalidStoredLab"),
                    "{name}: {e}"
                );
                assert!(e.to_string().contains(expected), "{name}: {e}");
            }
        }
        assert_eq!(file, before, "{name} is unchanged");
    }
}

#[test]
fn damage_between_whole_saves_is_never_passed_over_as_a_torn_tail() {
    let (file, frame) = crafted::damaged_middle_frame();
    let err = state_file::load_whole(file.as_slice()).unwrap_err();
    assert!(err.to_string().contains("a later save"), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("the save at byte {frame} ")),
        "{err}"
    );
    // Opened through the index, the same damage is found at open.
    let err = state_file::open(Some(file.as_slice()), None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(store::import(&file).is_err(), "an import refuses it too");
}

#[test]
fn a_file_of_gigabytes_that_is_no_lab_file_is_refused_from_its_first_bytes() {
    let dir = std::env::temp_dir().join(format!("snaplab-persist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.snaplab");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(3 << 30).unwrap(); // sparse: no disk, and no memory if never read whole
    let started = Instant::now();
    let err = state_file::open(Some(&file), None).map(|_| ()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.code(), "InvalidLabFile");
    assert!(err.to_string().contains("SNAPLAB"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
