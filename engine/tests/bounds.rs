//! Issue 24 items 4 and 7: an import or a share link that claims more than
//! it holds is refused before anything is sized by the claim, quickly, with
//! a clear error. Every crafted input here has valid checksums.

use std::time::{Duration, Instant};

use snaplab_engine::cmd;
use snaplab_engine::share;
use snaplab_engine::store::{self, log_key};
use snaplab_engine::{Command, WriteData};

fn group_and_disk() -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)),
    ]
}

/// An export with its checksum made again over `body` (the export without
/// its last 8 bytes), as a crafter would.
fn resealed(mut body: Vec<u8>) -> Vec<u8> {
    let sum = snaplab_engine::naming::stable_hash_bytes(&body);
    body.extend_from_slice(&sum.to_le_bytes());
    body
}

#[test]
fn an_import_claiming_more_records_than_its_bytes_hold_is_refused_up_front() {
    let (records, _) = store::records_for(group_and_disk()).unwrap();
    let mut file = store::export(&records);
    file.truncate(file.len() - 8);
    // The record count (after magic and format) claims 2^40 records.
    file[12..20].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let file = resealed(file);
    let started = Instant::now();
    let err = store::import(&file).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(
        err.to_string().contains("claims 1099511627776 records"),
        "{err}"
    );
}

#[test]
fn an_import_whose_record_claims_exabytes_is_refused() {
    let (records, _) = store::records_for(group_and_disk()).unwrap();
    let mut file = store::export(&records);
    file.truncate(file.len() - 8);
    // The first record's value length, after its key.
    let key_len = u32::from_le_bytes(file[20..24].try_into().unwrap()) as usize;
    let at = 24 + key_len;
    file[at..at + 8].copy_from_slice(&(1u64 << 62).to_le_bytes());
    let err = store::import(&resealed(file)).unwrap_err();
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(err.to_string().contains("ends too early"), "{err}");
}

/// A lab whose log names its one stored blob (1 MiB) in thousands of
/// entries, each a write to a disk that does not exist (so replaying one
/// fails and leaves the next blob id where it was): each entry would gather
/// the blob's bytes anew (4 GB copied). Refused at the second naming instead.
#[test]
fn an_import_whose_log_names_one_blob_many_times_is_refused_before_copying_it() {
    let mut commands = group_and_disk();
    commands.push(Command::Write(cmd::Write {
        group: "rg".into(),
        disk: "d".into(),
        offset: 0,
        data: WriteData::bytes(vec![9u8; 1 << 20]),
    }));
    let (mut records, _) = store::records_for(commands).unwrap();
    records.retain(|k, _| !k.starts_with("checkpoint/"));
    let stored: Command = serde_json::from_slice(&records[&log_key(3)]).unwrap();
    let Command::Write(mut write) = stored else {
        panic!("log entry 3 is the write")
    };
    assert!(matches!(write.data, WriteData::Stored { blob: 1, .. }));
    write.disk = "missing".into();
    let repeated = serde_json::to_vec(&Command::Write(write)).unwrap();
    for seq in 3..4000 {
        records.insert(log_key(seq), repeated.clone());
    }
    records.remove(store::DIGEST_KEY);
    let started = Instant::now();
    let err = store::import(&store::export(&records))
        .map(|_| ())
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(err.to_string().contains("log/"), "{err}");
    assert!(err.to_string().contains("names blob 1"), "{err}");
}

#[test]
fn a_share_link_claiming_a_huge_write_is_refused_clearly() {
    let mut log = group_and_disk();
    log.push(Command::Write(cmd::Write {
        group: "rg".into(),
        disk: "d".into(),
        offset: 0,
        data: WriteData::Pattern {
            pattern: snaplab_engine::PatternKind::Fill,
            seed: 1,
            length: 1 << 62,
        },
    }));
    let link = share::wrap(&serde_json::to_vec(&log).unwrap());
    let started = Instant::now();
    let (_, journal) = share::open(&link).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    // The write is refused by the disk's range (logged as refused), never
    // allocated: the lab opens with its disk, nothing written to it.
    assert_eq!(journal.lab().operations(), 3);
    assert_eq!(journal.lab().disks().count(), 1);
    let again = share::encode(journal.lab().log()).unwrap();
    assert!(again.len() < 4096, "the link stays small: {}", again.len());
}

#[test]
fn a_share_link_longer_than_a_link_can_be_is_refused_before_decoding() {
    let body = vec![b' '; share::MAX_LINK_BYTES];
    let err = share::decode(&share::wrap(&body)).unwrap_err();
    assert_eq!(err.code(), "InvalidParameter", "{err}");
    assert!(
        err.to_string().contains("longer than a Snaplab link"),
        "{err}"
    );
}
