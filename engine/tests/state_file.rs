//! The native program's state file: runs append what they changed, opening
//! reads the checkpoint and the log after it through the index, and a torn
//! or damaged file is either passed over to its last whole part or refused.

use snaplab_engine::state_file::{self, Loaded, Save};
use snaplab_engine::store::{self, Journal};
use snaplab_engine::{Command, Lab};

fn day(ops: usize) -> Vec<Command> {
    snaplab_engine::testkit::workload::training_day_on("rg", "d", ops, 300)
}

/// What a reader can see of a lab: resources, pages, clock and count.
fn picture(lab: &Lab) -> String {
    format!(
        "{:?} {} {:?} {:?}",
        lab.now(),
        lab.operations(),
        lab.disks()
            .map(|d| (&d.at.name, d.data.page_map().written_ranges()))
            .collect::<Vec<_>>(),
        lab.snapshots()
            .map(|s| (&s.at.name, s.used_bytes()))
            .collect::<Vec<_>>()
    )
}

fn apply(file: &mut Vec<u8>, save: Save) -> &'static str {
    match save {
        Save::Nothing => "nothing",
        Save::Append { at, bytes } => {
            file.truncate(at as usize);
            file.extend_from_slice(&bytes);
            "append"
        }
        Save::Rewrite(bytes) => {
            *file = bytes;
            "rewrite"
        }
    }
}

/// One run: open `file` (or a new lab), execute `commands`, save.
fn run(file: &mut Option<Vec<u8>>, commands: &[Command]) -> (&'static str, Option<Loaded>) {
    let (mut session, loaded) = state_file::open(file.as_deref(), None).unwrap();
    for c in commands {
        let _ = session.execute(c.clone());
    }
    let save = state_file::save(&mut session, loaded.as_ref(), file.as_deref()).unwrap();
    let mut bytes = file.take().unwrap_or_default();
    let how = apply(&mut bytes, save);
    *file = Some(bytes);
    (how, loaded)
}

fn whole_lab(file: &[u8]) -> Lab {
    let records = state_file::load_whole(file).unwrap().records;
    let mut journal = Journal::open(&records).unwrap().journal;
    journal.attach_older(&records).unwrap();
    journal.lab().clone()
}

#[test]
fn runs_append_their_changes_and_open_through_the_index_to_the_lab_they_ran() {
    let commands = day(6_000);
    let mut file = None;
    let mut hows = Vec::new();
    for (i, part) in commands.chunks(150).enumerate() {
        let (how, loaded) = run(&mut file, part);
        hows.push(how);
        if let Some(loaded) = loaded {
            // Through the index: no log entry before the newest checkpoint.
            assert!(!loaded.whole, "run {i} read the whole file");
            let newest = loaded
                .records
                .keys()
                .filter_map(|k| snaplab_engine::checkpoint::checkpoint_seq(k))
                .max()
                .expect("a checkpoint");
            assert!(
                loaded
                    .records
                    .keys()
                    .filter(|k| k.starts_with("log/"))
                    .all(|k| *k >= store::log_key(newest)),
                "run {i} read log entries the checkpoint stands in for"
            );
        }
    }
    assert_eq!(hows[0], "rewrite", "a new file is written whole");
    assert!(
        hows.iter().filter(|h| **h == "append").count() > 20,
        "{hows:?}"
    );
    assert!(
        hows[1..].contains(&"rewrite"),
        "outgrown frames are compacted: {hows:?}"
    );
    let file = file.unwrap();
    let ran = Lab::replay(&commands);
    assert_eq!(picture(&whole_lab(&file)), picture(&ran));
    // Through the index, as the next run opens it.
    let (session, _) = state_file::open(Some(file.as_slice()), None).unwrap();
    assert_eq!(picture(session.lab()), picture(&ran));
    // The app imports the file, frames and all.
    let records = store::import(&file).unwrap();
    let opened = Journal::open(&records).unwrap().journal;
    assert_eq!(picture(opened.lab()), picture(&ran));
}

#[test]
fn a_run_that_changes_nothing_writes_nothing() {
    let mut file = None;
    run(&mut file, &day(300));
    let before = file.clone();
    let (how, _) = run(&mut file, &[]);
    assert_eq!(how, "nothing");
    assert_eq!(file, before);
}

#[test]
fn a_frame_torn_at_any_byte_is_passed_over_and_the_next_save_cuts_it_off() {
    let commands = day(700);
    let mut file = None;
    run(&mut file, &commands[..500]);
    run(&mut file, &commands[500..600]);
    let before = whole_lab(file.as_ref().unwrap());
    let complete = file.clone().unwrap();
    run(&mut file, &commands[600..]);
    let full = file.unwrap();
    let frame = full.len() - complete.len();
    assert!(frame > 100, "{frame}");
    for cut in (1..frame).step_by(frame / 40 + 1).chain([1, frame - 1]) {
        // A crash mid-append: the file ends partway through the frame.
        let torn = full[..full.len() - cut].to_vec();
        let (session, loaded) = state_file::open(Some(torn.as_slice()), None).unwrap();
        let loaded = loaded.unwrap();
        assert!(
            loaded.whole && loaded.end == complete.len() as u64,
            "cut {cut}"
        );
        assert_eq!(
            loaded.ignored,
            (frame - cut) as u64,
            "and says how much it passed over"
        );
        assert_eq!(picture(session.lab()), picture(&before), "cut {cut}");
        // The next run appends after the whole part.
        let mut again = Some(torn);
        let (how, _) = run(&mut again, &commands[600..]);
        assert_eq!(how, "append", "cut {cut}");
        let again = again.unwrap();
        assert_eq!(
            picture(&whole_lab(&again)),
            picture(&Lab::replay(&commands))
        );
        let (_, loaded) = state_file::open(Some(again.as_slice()), None).unwrap();
        assert!(
            !loaded.unwrap().whole,
            "opens through its index again (cut {cut})"
        );
    }
}

#[test]
fn a_damaged_record_the_index_names_is_refused_and_nothing_is_run() {
    let mut file = None;
    run(&mut file, &day(1_500));
    run(&mut file, &day(1_600)[1_500..]);
    let file = file.unwrap();
    let loaded = state_file::load_recent(file.as_slice()).unwrap();
    // A record in the base that the index names.
    let (key, loc) = loaded
        .locs
        .iter()
        .find(|(_, loc)| loc.offset < loaded.base && loc.len > 0)
        .map(|(k, loc)| (k.clone(), *loc))
        .unwrap();
    let mut damaged = file.clone();
    damaged[(loc.offset + loc.len / 2) as usize] ^= 0x40;
    let err = state_file::open(Some(damaged.as_slice()), None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), "InvalidLabFile");
    assert!(
        err.to_string()
            .contains(&format!("{key} does not match its checksum")),
        "{err}"
    );
    // Read whole, the base's checksum says the same.
    let err = state_file::load_whole(damaged.as_slice()).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn damage_inside_the_last_frame_is_passed_over_like_a_save_that_did_not_finish() {
    let commands = day(400);
    let mut file = None;
    run(&mut file, &commands[..300]);
    let before = whole_lab(file.as_ref().unwrap());
    let base = file.as_ref().unwrap().len();
    run(&mut file, &commands[300..]);
    let mut damaged = file.unwrap();
    let middle = base + (damaged.len() - base) / 2;
    damaged[middle] ^= 0x01;
    let (session, loaded) = state_file::open(Some(damaged.as_slice()), None).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.ignored, (damaged.len() - base) as u64);
    assert_eq!(picture(session.lab()), picture(&before));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Any damage or truncation of a state file (a hostile one included):
    /// never a panic; it opens (passing over a torn tail) or is refused as
    /// an invalid lab file, and an import takes it whole or refuses it.
    #[test]
    fn a_damaged_state_file_opens_or_is_refused_and_never_panics(
        flips in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 1u8..), 0..4),
        cut in proptest::prelude::any::<proptest::sample::Index>(),
        truncate in proptest::prelude::any::<bool>(),
    ) {
        let commands = day(330);
        let mut file = None;
        run(&mut file, &commands[..300]);
        run(&mut file, &commands[300..]);
        let mut bytes = file.unwrap();
        for (at, x) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        match state_file::open(Some(bytes.as_slice()), None) {
            Ok(_) => {}
            Err(e) => proptest::prop_assert!(
                matches!(e.code(), "InvalidLabFile" | "InvalidStoredLab"),
                "{e}"
            ),
        }
        let _ = store::import(&bytes);
    }
}

#[test]
fn a_format_1_file_keeps_its_checksum_when_a_run_appends_and_is_rewritten_as_format_2() {
    // A lab file written by the first version: FNV-1a checksums (format 1).
    let v1 = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1-lab.snaplab"),
    )
    .unwrap();
    assert_eq!(
        state_file::FileSum::of_file(v1.as_slice()),
        Some(state_file::FileSum::Fnv1a)
    );
    let before = whole_lab(&v1).operations();
    let mut file = Some(v1.clone());
    let (how, loaded) = run(&mut file, &day(3)[..1]);
    assert_eq!(how, "append");
    assert_eq!(loaded.unwrap().sum, state_file::FileSum::Fnv1a);
    // The frame is checked with the file's own checksum: opened through its index.
    let appended = file.clone().unwrap();
    assert!(appended.starts_with(&v1));
    let (session, loaded) = state_file::open(Some(appended.as_slice()), None).unwrap();
    assert!(!loaded.unwrap().whole, "the appended frame checks");
    assert_eq!(session.lab().operations(), before + 1);
    assert_eq!(whole_lab(&appended).operations(), before + 1);
    // Written anew, it is format 2.
    let records = state_file::load_whole(appended.as_slice()).unwrap().records;
    let new = state_file::write_new(&records);
    assert_eq!(
        state_file::FileSum::of_file(new.as_slice()),
        Some(state_file::FileSum::Xxh64)
    );
    let (session, loaded) = state_file::open(Some(new.as_slice()), None).unwrap();
    assert!(!loaded.unwrap().whole);
    assert_eq!(session.lab().operations(), before + 1);
}
