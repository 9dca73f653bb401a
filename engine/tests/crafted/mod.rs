//! Crafted lab files, each with valid checksums: the generator of the
//! adversarial lab-file corpus. `cargo run -p snaplab-engine --example craft`
//! writes them to `tests/adversarial/lab-files/`; `engine/tests/persist.rs`
//! makes them at test time and checks how each ends.
#![allow(dead_code)]

use std::collections::BTreeMap;

use snaplab_engine::checkpoint;
use snaplab_engine::cmd;
use snaplab_engine::state_file::{self, Save};
use snaplab_engine::store::Batch;
use snaplab_engine::{Command, WriteData};

pub fn setup(snapshot: &str, fill: u8) -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)),
        Command::Write(cmd::Write {
            group: "rg".into(),
            disk: "d".into(),
            offset: 0,
            data: WriteData::bytes(vec![fill; 4096]),
        }),
        Command::CreateSnapshot(cmd::CreateSnapshot {
            group: "rg".into(),
            name: snapshot.into(),
            source: "d".into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        }),
    ]
}

/// One run on `file` (a new one if `None`): `commands`, then its save.
pub fn run(file: Option<Vec<u8>>, commands: &[Command]) -> Vec<u8> {
    let (mut session, loaded) = state_file::open(file.as_deref(), None).unwrap();
    for c in commands {
        let _ = session.execute(c.clone());
    }
    let mut bytes = file.clone().unwrap_or_default();
    match state_file::save(&mut session, loaded.as_ref(), file.as_deref()).unwrap() {
        Save::Nothing => {}
        Save::Append { at, bytes: frame } => {
            bytes.truncate(at as usize);
            bytes.extend_from_slice(&frame);
        }
        Save::Rewrite(whole) => bytes = whole,
    }
    bytes
}

/// The lab file "a": a disk with real bytes and a snapshot, one run.
pub fn lab_a() -> Vec<u8> {
    run(None, &setup("a-snap", 7))
}

fn records(file: &[u8]) -> BTreeMap<String, Vec<u8>> {
    state_file::load_whole(file).unwrap().records
}

fn checkpoint_key(records: &BTreeMap<String, Vec<u8>>) -> String {
    records
        .keys()
        .rfind(|k| k.starts_with("checkpoint/"))
        .expect("a checkpoint")
        .clone()
}

/// Lab "a" carrying the checkpoint of another lab ("b", same shape, other
/// names and bytes) at the same position.
pub fn foreign_checkpoint() -> Vec<u8> {
    let mut a = records(&lab_a());
    let b = records(&run(None, &setup("b-snap", 9)));
    let key = checkpoint_key(&a);
    a.insert(key.clone(), b[&key].clone());
    state_file::write_new(&a)
}

/// Lab "a" with a last frame whose index names one 4 KiB region 20,000
/// times (as a 1.1 MB file did), hashes right.
pub fn index_one_region() -> Vec<u8> {
    let mut file = lab_a();
    let loaded = state_file::load_whole(file.as_slice()).unwrap();
    let chunk = loaded
        .locs
        .iter()
        .find(|(k, _)| k.starts_with("chunk/"))
        .map(|(_, loc)| *loc)
        .unwrap();
    let mut records = loaded.records.clone();
    let mut locs = loaded.locs.clone();
    for i in 0..20_000 {
        records.insert(format!("meta/x{i:05}"), Vec::new());
        locs.insert(format!("meta/x{i:05}"), chunk);
    }
    let at = file.len() as u64;
    let frame = state_file::frame(&locs, &records, &Batch::default(), loaded.base, at).unwrap();
    file.extend_from_slice(&frame);
    file
}

fn leb(v: u64, out: &mut Vec<u8>) {
    let mut v = v;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0;
    let mut shift = 0;
    loop {
        let byte = bytes[*at];
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return v;
        }
    }
}

/// Lab "a" whose checkpoint (with the right digest, so it is believed)
/// defines one 60,000-byte string and refers back to it 100,000 times: 6 GB
/// of copies from a 300 KB checkpoint.
pub fn checkpoint_back_references() -> Vec<u8> {
    let mut a = records(&lab_a());
    let key = checkpoint_key(&a);
    let digest = checkpoint::digest_of(&a[&key]).unwrap();
    let mut c = b"SLCP".to_vec();
    leb(4, &mut c); // the checkpoint format
    c.extend_from_slice(&digest.to_le_bytes());
    for v in [0, 0, 0, 0, 0] {
        // stored blobs, clock, id counter, snapshot seq, blobs
        leb(v, &mut c);
    }
    leb(0, &mut c);
    leb(60_000, &mut c);
    c.extend(std::iter::repeat_n(b'x', 60_000));
    leb(50_000, &mut c);
    for _ in 0..50_000 {
        c.extend_from_slice(&[1, 1, 0]);
    }
    a.insert(key, c);
    state_file::write_new(&a)
}

/// Lab "a" whose checkpoint (digest right, every section's checksum
/// right) says its blob holds 2 GiB, and whose chunks are gone: a
/// placeholder of 2 GiB would be made.
pub fn checkpoint_claiming_2gib() -> Vec<u8> {
    let mut a = records(&lab_a());
    let key = checkpoint_key(&a);
    let old = a[&key].clone();
    // MAGIC, format 5, digest; then the state section (its length and
    // checksum first), which starts with the stored blobs: id, seq, entry.
    assert_eq!(old[4], 5, "a format-5 checkpoint");
    let state_len = u64::from_le_bytes(old[13..21].try_into().unwrap()) as usize;
    let state = &old[29..29 + state_len];
    let mut at = 0;
    assert_eq!(read_leb(state, &mut at), 1, "one stored blob");
    let blob = read_leb(state, &mut at);
    let seq = read_leb(state, &mut at);
    assert_eq!(read_leb(state, &mut at), 0, "a new string");
    let len = read_leb(state, &mut at) as usize;
    let json = String::from_utf8(state[at..at + len].to_vec()).unwrap();
    at += len;
    let big: u64 = 2 << 30;
    let json = json.replace("\"length\":4096", &format!("\"length\":{big}"));
    let (clock, ids, snaps, blobs) = (
        read_leb(state, &mut at),
        read_leb(state, &mut at),
        read_leb(state, &mut at),
        read_leb(state, &mut at),
    );
    assert_eq!(blobs, 1);
    let (id, start, _pages) = (
        read_leb(state, &mut at),
        read_leb(state, &mut at),
        read_leb(state, &mut at),
    );
    let mut crafted = Vec::new();
    for v in [1, blob, seq, 0, json.len() as u64] {
        leb(v, &mut crafted);
    }
    crafted.extend_from_slice(json.as_bytes());
    for v in [clock, ids, snaps, 1, id, start, big / 512] {
        leb(v, &mut crafted);
    }
    crafted.extend_from_slice(&state[at..]);
    let mut c = old[..13].to_vec();
    c.extend_from_slice(&(crafted.len() as u64).to_le_bytes());
    c.extend_from_slice(&snaplab_engine::checksum::xxh64(&crafted).to_le_bytes());
    c.extend_from_slice(&crafted);
    c.extend_from_slice(&old[29 + state_len..]);
    a.insert(key, c);
    a.retain(|k, _| !k.starts_with("chunk/"));
    state_file::write_new(&a)
}

/// Lab "a" after two more runs, with one byte of the first appended save
/// flipped: damage with whole saves after it. Also says where that save starts.
pub fn damaged_middle_frame() -> (Vec<u8>, usize) {
    let a = lab_a();
    let more = |name: &str| setup(name, 3).split_off(3);
    let once = run(Some(a.clone()), &more("second"));
    let twice = run(Some(once.clone()), &more("third"));
    let mut damaged = twice;
    let at = a.len() + (once.len() - a.len()) / 2;
    damaged[at] ^= 0x20;
    (damaged, a.len())
}

/// Lab "a" with one byte flipped in its base, in a log entry the index
/// does not name (the checkpoint stands in for it).
pub fn damaged_base() -> Vec<u8> {
    let mut file = lab_a();
    let loaded = state_file::load_whole(file.as_slice()).unwrap();
    let loc = loaded.locs["log/000000000001"];
    file[(loc.offset + loc.len / 2) as usize] ^= 0x01;
    file
}

/// Every crafted file, named.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("foreign-checkpoint.snaplab", foreign_checkpoint()),
        ("index-one-region.snaplab", index_one_region()),
        (
            "checkpoint-back-references.snaplab",
            checkpoint_back_references(),
        ),
        (
            "checkpoint-claiming-2gib.snaplab",
            checkpoint_claiming_2gib(),
        ),
        ("damaged-middle-frame.snaplab", damaged_middle_frame().0),
        ("damaged-base.snaplab", damaged_base()),
    ]
}
