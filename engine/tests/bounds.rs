//! Issue 24 items 4 and 7: an import or a share link that claims more than
//! it holds is refused before anything is sized by the claim, quickly, with
//! a clear error. Every crafted input here has valid checksums.

mod common;

use std::time::{Duration, Instant};

use snaplab_engine::cmd;
use snaplab_engine::share;
use snaplab_engine::state_file;
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
    let sum = snaplab_engine::state_file::FileSum::of_format(store::EXPORT_FORMAT).of(&body);
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

/// A file of `size` bytes that is an export's header claiming one record
/// whose value runs to the checksum, then zeros (a sparse file's holes):
/// it notes the largest single read asked of it.
struct Sparse {
    size: u64,
    head: Vec<u8>,
    largest: std::cell::Cell<u64>,
}

impl Sparse {
    fn new(size: u64) -> Sparse {
        let mut head = store::EXPORT_MAGIC.to_vec();
        head.extend_from_slice(&store::EXPORT_FORMAT.to_le_bytes());
        head.extend_from_slice(&1u64.to_le_bytes());
        head.extend_from_slice(&1u32.to_le_bytes());
        head.push(b'k');
        let value_len = size - head.len() as u64 - 8 - 8;
        head.extend_from_slice(&value_len.to_le_bytes());
        Sparse {
            size,
            head,
            largest: 0.into(),
        }
    }
}

impl snaplab_engine::persist::file::ReadAt for Sparse {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_at(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        assert!(offset + len <= self.size, "read past the end");
        self.largest.set(self.largest.get().max(len));
        Ok((offset..offset + len)
            .map(|i| self.head.get(i as usize).copied().unwrap_or(0))
            .collect())
    }
}

#[test]
fn a_whole_read_of_a_file_without_an_index_reads_it_a_piece_at_a_time() {
    let file = Sparse::new(48 << 20);
    let err = state_file::load_whole(&file).unwrap_err();
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(err.to_string().contains("checksum does not match"), "{err}");
    // Never the whole file, nor the record it claims, in one buffer.
    assert!(
        file.largest.get() <= (1 << 20) + 16,
        "read {} bytes at once",
        file.largest.get()
    );
}

#[test]
fn a_sparse_multi_gigabyte_file_starting_with_snaplab_is_refused_without_reading_it_whole() {
    let dir = std::env::temp_dir().join(format!("snaplab-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sparse.snaplab");
    let size: u64 = 2 << 30;
    let head = Sparse::new(size).head;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut &file, &head).unwrap();
    file.set_len(size).unwrap(); // the rest a hole: no disk, and no memory unless read whole
    let started = common::thread_clock();
    let err = state_file::open(Some(&file), None).map(|_| ()).unwrap_err();
    // Its every byte is hashed (unoptimised test builds take ~15 s of CPU).
    let took = common::thread_time_since(started);
    assert!(took < Duration::from_secs(60), "{took:?} of CPU");
    // The process never held the file: its peak memory stays far below it.
    if let Some(peak) = peak_memory_bytes() {
        assert!(peak < 1 << 30, "peak memory {peak} bytes");
    }
    assert_eq!(err.code(), "InvalidLabFile", "{err}");
    assert!(err.to_string().contains("checksum does not match"), "{err}");
    assert_eq!(file.metadata().unwrap().len(), size, "left unchanged");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// This process's peak resident memory (Linux), if known.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes of real payloads the lab's log in memory holds.
fn payload_bytes_held(lab: &snaplab_engine::Lab) -> u64 {
    lab.log()
        .map(|c| match c {
            Command::Write(cmd::Write {
                data: WriteData::Bytes { bytes },
                ..
            }) => bytes.len() as u64,
            _ => 0,
        })
        .sum()
}

fn write(fill: u8, len: usize, offset: u64) -> Command {
    Command::Write(cmd::Write {
        group: "rg".into(),
        disk: "d".into(),
        offset,
        data: WriteData::bytes(vec![fill; len]),
    })
}

/// Issue 24: "5,000 rewrites of 1 MiB at one offset keep every overwritten
/// payload". The retention: a payload is kept while a disk or snapshot can
/// read it, and for this session's history the newest FREED_BYTES_KEPT of
/// those let go; past that the history keeps the operation (as a `Freed`
/// write, as the store logs it), not its bytes.
#[test]
fn rewrites_at_one_offset_keep_only_the_payloads_something_can_read() {
    let mut session = store::Session::open(store::MemoryStore::new()).unwrap();
    for c in group_and_disk() {
        session.execute(c).unwrap();
    }
    const MIB: usize = 1 << 20;
    session.execute(write(1, MIB, 0)).unwrap();
    session
        .execute(Command::CreateSnapshot(cmd::CreateSnapshot {
            group: "rg".into(),
            name: "keep".into(),
            source: "d".into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        }))
        .unwrap();
    for i in 0..300u32 {
        session.execute(write((i % 200) as u8 + 2, MIB, 0)).unwrap();
    }
    // A refused write (past the disk's end): the store keeps no bytes.
    assert!(session.execute(write(9, MIB, 4 << 30)).is_err());
    // The snapshot's payload and the disk's newest, and the newest 64 MiB
    // of those let go (for this session's history): 66, not 302.
    assert_eq!(
        payload_bytes_held(session.lab()),
        2 * MIB as u64 + store::FREED_BYTES_KEPT
    );
    let named = snaplab_engine::timeline::bytes_not_kept(session.lab());
    // 299 overwritten and 1 refused let go; the newest 64 of them kept.
    assert_eq!(named.len(), 300 - 64, "the oldest let go are named");
    let last = session.lab().find_disk("rg", "d").unwrap();
    assert_eq!(last.data.read(0, 512).unwrap(), vec![101u8; 512]);

    // The lab in memory is the lab the store reopens.
    let records = session.store().records().clone();
    let reopened = store::Journal::open(&records).unwrap().journal;
    assert_eq!(reopened.lab().operations(), session.lab().operations());
    assert_eq!(
        reopened
            .lab()
            .find_disk("rg", "d")
            .unwrap()
            .data
            .read(0, MIB as u64)
            .unwrap(),
        vec![101u8; MIB]
    );
}
