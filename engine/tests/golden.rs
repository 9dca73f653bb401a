//! The stored formats do not change when the code does: an operation log, a
//! `.snaplab` export and a share link written by the first version (before
//! commands became one struct per file) still load, re-serialize to the same
//! bytes, and replay to the same lab.
//!
//! The fixtures in `golden/` were written once by that version; `v1-digest.txt`
//! is what it computed from them (every event, each disk's used bytes and a
//! checksum of its first 16 MiB, each snapshot's used bytes).

use std::path::PathBuf;

use snaplab_engine::store::{import, Journal};
use snaplab_engine::{Command, Lab};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn digest(lab: &Lab) -> String {
    let mut out = String::new();
    for e in lab.events() {
        out += &format!("{}\n", serde_json::to_string(e).unwrap());
    }
    for d in lab.disks() {
        let bytes = d.data.read(0, d.data.size_bytes().min(16 << 20)).unwrap();
        let sum: u64 = bytes
            .iter()
            .enumerate()
            .fold(0xcbf29ce484222325u64, |h, (i, b)| {
                (h ^ (*b as u64 + i as u64 % 7)).wrapping_mul(0x100000001b3)
            });
        out += &format!(
            "disk {} used {} sum {sum:016x}\n",
            d.id(),
            d.data.used_bytes()
        );
    }
    for s in lab.snapshots() {
        out += &format!(
            "snapshot {} incremental {} used {}\n",
            s.id(),
            s.incremental,
            s.used_bytes()
        );
    }
    out
}

fn old_log() -> Vec<Command> {
    serde_json::from_slice(&fixture("v1-log.json")).expect("the v1 log still parses")
}

#[test]
fn an_old_operation_log_parses_and_serializes_to_the_same_json() {
    let text = String::from_utf8(fixture("v1-log.json")).unwrap();
    let log = old_log();
    assert_eq!(log.len(), 46, "every command of the fixture parsed");
    assert_eq!(serde_json::to_string_pretty(&log).unwrap() + "\n", text);
}

#[test]
fn an_old_operation_log_replays_to_the_same_lab() {
    let lab = Lab::replay(&old_log());
    let expected = String::from_utf8(fixture("v1-digest.txt")).unwrap();
    let actual = digest(&lab);
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "line {} of the digest", i + 1);
    }
    assert_eq!(actual.lines().count(), expected.lines().count());
}

#[test]
fn an_old_export_imports_and_opens_to_the_same_lab() {
    let records = import(&fixture("v1-lab.snaplab")).expect("the v1 export still imports");
    let mut opened = Journal::open(&records).expect("and opens");
    assert_eq!(
        digest(opened.journal.lab()),
        digest(&Lab::replay(&old_log()))
    );
    assert_eq!(opened.journal.lab().operations(), 46);
    opened
        .journal
        .attach_older(&records)
        .expect("its history reads");
    assert_eq!(opened.journal.lab().log().count(), 46);
}

#[test]
fn an_old_share_link_decodes_to_the_same_commands() {
    let link = String::from_utf8(fixture("v1-share.txt")).unwrap();
    let decoded = snaplab_engine::share::decode(link.trim()).expect("the v1 link still decodes");
    assert_eq!(decoded, old_log()[..20].to_vec());
}

/// docs/rules.md is the people's side of the one table of rules: every id
/// in `rules::RULES` has its row there.
#[test]
fn every_rule_in_the_table_is_documented_in_docs_rules_md() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    for rule in snaplab_engine::rules::RULES {
        assert!(
            doc.contains(&format!("| {} |", rule.id)),
            "{} is missing from docs/rules.md",
            rule.id
        );
    }
}

/// A `--state` file whose checkpoint is format 4 (written by the version
/// before checkpoint sections, from a 600-operation training day) still
/// opens from that checkpoint, to the lab its log replays to.
#[test]
fn a_format_4_checkpoint_is_still_read() {
    let file = fixture("v4-checkpoint.snaplab");
    let (session, loaded) = snaplab_engine::state_file::open(Some(file.as_slice()), None).unwrap();
    assert!(!loaded.unwrap().whole, "opened through its index");
    let key = session
        .store()
        .inner
        .records()
        .keys()
        .find(|k| k.starts_with("checkpoint/"))
        .unwrap()
        .clone();
    assert_eq!(session.store().inner.records()[&key][4], 4, "format 4");
    let seq = snaplab_engine::checkpoint::checkpoint_seq(&key).unwrap();
    assert_eq!(session.journal().checkpoint(), Some(seq), "opened from it");
    assert_eq!(session.lab().log_base(), seq, "nothing before it replayed");
    assert!(session.warnings().is_empty(), "{:?}", session.warnings());
    let lab = session.lab();
    let replayed = Lab::replay(&snaplab_engine::testkit::workload::training_day(
        "rg", "d", 600,
    ));
    assert_eq!(lab.operations(), replayed.operations());
    assert!(lab.disks().eq(replayed.disks()));
    assert!(lab.snapshots().eq(replayed.snapshots()));
    assert!(lab.groups().eq(replayed.groups()));
    assert!(lab.events().eq(replayed.events()));
    assert_eq!(lab.cost_history(), replayed.cost_history());
    assert_eq!(lab.ended_days(), replayed.ended_days());
    assert_eq!(lab.now(), replayed.now());
}
