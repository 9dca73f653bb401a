//! The records a lab is stored as, and their keys: the one vocabulary the
//! journal, the open plan and every host share (nothing here does I/O).
//!
//! | key | value |
//! |---|---|
//! | `meta/schema` | the schema version, as text |
//! | `meta/digest` | `{seq} {hash:016x}`: the running digest of the log up to entry `seq` ([`chain`]) |
//! | `meta/lab` | the browser's lab id (a fresh one on every replacement) |
//! | `log/{seq:012}` | one executed command, JSON; real bytes appear as `Stored { blob }` |
//! | `chunk/{blob:016}/{index:08}` | up to 64 KiB of a blob's bytes, binary |
//! | `checkpoint/{seq:012}` | the lab at log position `seq` ([`super::checkpoint`]) |

use crate::cmd::{self, Command, WriteData};
use crate::error::EngineError;

/// The layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Bytes per stored chunk of a blob.
pub const CHUNK_SIZE: usize = 64 * 1024;
pub const SCHEMA_KEY: &str = "meta/schema";
/// The running digest of the log ([`chain`]), as of its last entry.
pub const DIGEST_KEY: &str = "meta/digest";
/// The record naming which lab is stored (the browser writes it).
pub const LAB_ID_KEY: &str = "meta/lab";

/// What a record holds: shared bytes, so a blob is cut into chunks without
/// being copied.
pub use bytes::Bytes as Value;

/// Puts and deletes applied together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub puts: Vec<(String, Value)>,
    pub deletes: Vec<String>,
    /// Durability policy: `true` (IndexedDB `strict`) when the batch destroys
    /// data (frees blobs) or replaces the lab; `false` (`relaxed`) otherwise,
    /// where losing the newest operation in an OS crash loses nothing older.
    pub strict: bool,
}

impl Batch {
    /// Appends `later`, so that committing the result at once stores what
    /// committing `self` and then `later` would: a key put and later deleted
    /// is only deleted, a key deleted and later put is only put. A pasted
    /// script is stored this way, as one transaction.
    pub fn merge(&mut self, later: Batch) {
        let later_deletes: std::collections::BTreeSet<&String> = later.deletes.iter().collect();
        let later_puts: std::collections::BTreeSet<&String> =
            later.puts.iter().map(|(k, _)| k).collect();
        self.puts
            .retain(|(k, _)| !later_deletes.contains(k) && !later_puts.contains(k));
        self.deletes
            .retain(|k| !later_puts.contains(k) && !later_deletes.contains(k));
        self.puts.extend(later.puts);
        self.deletes.extend(later.deletes);
        self.strict |= later.strict;
    }

    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

pub fn log_key(seq: usize) -> String {
    format!("log/{seq:012}")
}

pub fn chunk_key(blob: u64, index: usize) -> String {
    format!("chunk/{blob:016}/{index:08}")
}

/// The blob a chunk key names.
pub fn chunk_blob(key: &str) -> Option<u64> {
    key.strip_prefix("chunk/")?.split('/').next()?.parse().ok()
}

pub(crate) fn chunk_count(length: u64) -> usize {
    (length as usize).div_ceil(CHUNK_SIZE)
}

pub(crate) fn corrupt(detail: String) -> EngineError {
    EngineError::StorageCorrupt { detail }
}

/// Does a lab open from `key`, given its newest checkpoint? Everything but
/// the log entries that checkpoint stands in for.
pub fn opens_from(key: &str, newest_checkpoint: Option<usize>) -> bool {
    match key.strip_prefix("log/") {
        Some(_) => newest_checkpoint.is_none_or(|c| key >= log_key(c).as_str()),
        None => true,
    }
}

/// The newest checkpoint `keys` name.
pub fn newest_checkpoint<'a>(keys: impl IntoIterator<Item = &'a String>) -> Option<usize> {
    keys.into_iter()
        .filter_map(|k| super::checkpoint::checkpoint_seq(k))
        .max()
}

/// The digest of an empty log.
pub const EMPTY_DIGEST: u64 = 0xcbf2_9ce4_8422_2325;

/// The running digest after one more log entry: FNV-1a over the digest so
/// far and the entry as logged, with stored bytes named only by their
/// length (`Stored` and `Freed` digest alike, so freeing a blob, which
/// rewrites its entry, leaves the digest as it was).
pub fn chain(digest: u64, logged: &Command) -> u64 {
    let normal = match logged {
        Command::Write(
            w @ cmd::Write {
                data: WriteData::Stored { length, .. },
                ..
            },
        ) => Command::Write(cmd::Write {
            data: WriteData::Freed { length: *length },
            ..w.clone()
        }),
        other => other.clone(),
    };
    let json = serde_json::to_vec(&normal).expect("commands serialise");
    let mut h = digest;
    for b in digest.to_le_bytes().iter().chain(json.iter()) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `meta/digest`'s value.
pub fn digest_record(seq: usize, digest: u64) -> Vec<u8> {
    format!("{seq} {digest:016x}").into_bytes()
}

/// `meta/digest` read back: (seq, digest), if it is well formed.
pub fn read_digest_record(value: &[u8]) -> Option<(usize, u64)> {
    let text = std::str::from_utf8(value).ok()?;
    let (seq, digest) = text.split_once(' ')?;
    Some((seq.parse().ok()?, u64::from_str_radix(digest, 16).ok()?))
}
