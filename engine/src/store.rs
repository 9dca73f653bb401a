//! Storage behind a small trait, as redb keeps its I/O behind `StorageBackend`.
//!
//! What is stored is the operation log plus the real bytes users wrote:
//!
//! | key | value |
//! |---|---|
//! | `meta/schema` | the schema version, as text |
//! | `log/{seq:012}` | one executed command, JSON; real bytes appear as `Stored { blob }` |
//! | `chunk/{blob:016}/{index:08}` | up to 64 KiB of a blob's bytes, binary |
//!
//! The lab is rebuilt by replaying the log (`state = replay(log)`). Each
//! user-level operation is one [`Batch`]: its chunks and its log entry,
//! committed together. The log entry is the commit record (the pending/commit
//! pattern of wa-sqlite's IDBBatchAtomicVFS): chunks that no committed entry
//! names are leftovers of an interrupted operation and are swept on open, so
//! a crash shows the state before the operation, never half of it.
//!
//! Blobs are stored once however many disks and snapshots share them
//! (copy-on-write lives in the engine's persistent page maps). When an
//! operation leaves a blob referenced by no disk or snapshot, the same batch
//! deletes its chunks and rewrites its log entry as `Freed`, which replays
//! to the same lab since no reachable page held those bytes.
//!
//! [`Journal`] does all of this without I/O, so it is tested natively and the
//! browser's asynchronous IndexedDB backend only has to commit its batches.
//! [`Session`] joins a journal to a synchronous [`BlockStore`].

use crate::cmd;
use std::collections::{BTreeMap, BTreeSet};

use crate::cmd::{Command, WriteData};
use crate::error::{EngineError, Result};
use crate::lab::Lab;
use crate::naming::stable_hash_bytes;

/// The layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Bytes per stored chunk of a blob.
pub const CHUNK_SIZE: usize = 64 * 1024;
pub const SCHEMA_KEY: &str = "meta/schema";

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

pub trait BlockStore {
    /// Applies every put and delete of `batch`, or none of them.
    fn commit(&mut self, batch: Batch) -> Result<(), StoreError>;
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Keys starting with `prefix`, in order.
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
}

pub fn log_key(seq: usize) -> String {
    format!("log/{seq:012}")
}

pub fn chunk_key(blob: u64, index: usize) -> String {
    format!("chunk/{blob:016}/{index:08}")
}

fn chunk_count(length: u64) -> usize {
    (length as usize).div_ceil(CHUNK_SIZE)
}

fn corrupt(detail: String) -> EngineError {
    EngineError::StorageCorrupt { detail }
}

/// A log entry that stored real bytes: where it is, and what it said.
#[derive(Debug, Clone)]
struct BlobEntry {
    seq: usize,
    logged: Command,
}

/// The pure half of storage: the lab, and what to store for each operation.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    lab: Lab,
    /// Log entries written so far (the next one is `entries + 1`).
    entries: usize,
    blobs: BTreeMap<u64, BlobEntry>,
}

/// An operation worked out but not yet stored: commit `batch`, then `accept` it.
#[derive(Debug)]
pub struct Prepared {
    pub batch: Batch,
    pub result: Result<String>,
    lab: Lab,
    new_blob: Option<(u64, BlobEntry)>,
    freed: Vec<u64>,
}

/// What [`Journal::open`] found.
#[derive(Debug)]
pub struct Opened {
    pub journal: Journal,
    /// Leftovers of an interrupted operation (chunks no committed entry
    /// names), and a schema record to write for a new store: commit this
    /// batch to finish recovery. Empty when there is nothing to do.
    pub recovery: Batch,
}

impl Journal {
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// Log entries stored so far: the next operation is entry `entries() + 1`.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Rebuilds the lab from every stored record.
    pub fn open(records: &BTreeMap<String, Vec<u8>>) -> Result<Opened> {
        let mut recovery = Batch::default();
        match records.get(SCHEMA_KEY) {
            None if records.is_empty() => {
                recovery.puts.push((
                    SCHEMA_KEY.into(),
                    SCHEMA_VERSION.to_string().into_bytes().into(),
                ));
            }
            None => return Err(corrupt("it has records but no schema version".into())),
            Some(v) => {
                let version: u32 = std::str::from_utf8(v)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| corrupt("its schema version is unreadable".into()))?;
                if version > SCHEMA_VERSION {
                    return Err(corrupt(format!(
                        "it was written by a newer Snaplab (schema {version}); this one reads schema {SCHEMA_VERSION} and older. Open it with the newer Snaplab, or reset the lab"
                    )));
                }
                // Schema 1 is the first; a later schema adds its step here,
                // migrating the records before they are replayed.
            }
        }

        let mut journal = Journal::default();
        let mut named_blobs = BTreeSet::new();
        for (key, value) in records
            .range("log/".to_string()..)
            .take_while(|(k, _)| k.starts_with("log/"))
        {
            let logged: Command = serde_json::from_slice(value)
                .map_err(|e| corrupt(format!("log entry {key} is unreadable: {e}")))?;
            journal.entries += 1;
            if log_key(journal.entries) != *key {
                return Err(corrupt(format!(
                    "log entry {key} is out of sequence (expected {})",
                    log_key(journal.entries)
                )));
            }
            let command = match &logged {
                Command::Write(cmd::Write {
                    group,
                    disk,
                    offset,
                    data: WriteData::Stored { blob, length },
                }) => {
                    if *blob != journal.lab.next_blob_id() {
                        return Err(corrupt(format!(
                            "log entry {key} names blob {blob}, expected {}",
                            journal.lab.next_blob_id()
                        )));
                    }
                    let bytes = read_blob(records, *blob, *length)?;
                    named_blobs.insert(*blob);
                    journal.blobs.insert(
                        *blob,
                        BlobEntry {
                            seq: journal.entries,
                            logged: logged.clone(),
                        },
                    );
                    Command::Write(cmd::Write {
                        group: group.clone(),
                        disk: disk.clone(),
                        offset: *offset,
                        data: WriteData::bytes(bytes),
                    })
                }
                other => other.clone(),
            };
            let _ = journal.lab.execute(command);
        }
        for key in records
            .range("chunk/".to_string()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with("chunk/"))
        {
            let blob = key["chunk/".len()..]
                .split('/')
                .next()
                .and_then(|b| b.parse::<u64>().ok());
            if !blob.is_some_and(|b| named_blobs.contains(&b)) {
                recovery.deletes.push(key.clone());
            }
        }
        Ok(Opened { journal, recovery })
    }

    /// Works out `command` against a copy of the lab and the batch that
    /// stores it. Nothing changes until [`accept`](Self::accept).
    pub fn prepare(&self, command: Command) -> Prepared {
        let mut lab = self.lab.clone();
        let candidates = self.blobs_at_risk(&command);
        let seq = self.entries + 1;
        let mut batch = Batch::default();
        let mut new_blob = None;

        let (logged, blob_bytes) = match &command {
            Command::Write(cmd::Write {
                group,
                disk,
                offset,
                data: WriteData::Bytes { bytes },
            }) => {
                let blob = lab.next_blob_id();
                let stored = WriteData::Stored {
                    blob,
                    length: bytes.len() as u64,
                };
                (
                    Command::Write(cmd::Write {
                        group: group.clone(),
                        disk: disk.clone(),
                        offset: *offset,
                        data: stored,
                    }),
                    Some((blob, bytes.clone())),
                )
            }
            _ => (command.clone(), None),
        };
        let result = lab.execute(command);
        let logged = match (logged, &result, blob_bytes) {
            (
                Command::Write(cmd::Write {
                    group,
                    disk,
                    offset,
                    ..
                }),
                Ok(_),
                Some((blob, bytes)),
            ) => {
                for index in 0..chunk_count(bytes.len() as u64) {
                    let range = index * CHUNK_SIZE..((index + 1) * CHUNK_SIZE).min(bytes.len());
                    batch
                        .puts
                        .push((chunk_key(blob, index), bytes.slice(range)));
                }
                let logged = Command::Write(cmd::Write {
                    group,
                    disk,
                    offset,
                    data: WriteData::Stored {
                        blob,
                        length: bytes.len() as u64,
                    },
                });
                new_blob = Some((
                    blob,
                    BlobEntry {
                        seq,
                        logged: logged.clone(),
                    },
                ));
                logged
            }
            // A refused write keeps no bytes: its refusal depends only on where and how long.
            (
                Command::Write(cmd::Write {
                    group,
                    disk,
                    offset,
                    ..
                }),
                Err(_),
                Some((_, bytes)),
            ) => Command::Write(cmd::Write {
                group,
                disk,
                offset,
                data: WriteData::Freed {
                    length: bytes.len() as u64,
                },
            }),
            (logged, _, _) => logged,
        };
        batch.puts.push((
            log_key(seq),
            serde_json::to_vec(&logged)
                .expect("commands serialise")
                .into(),
        ));

        // Blobs this operation left unreferenced are freed in the same batch.
        let mut freed = Vec::new();
        if result.is_ok() {
            for blob in candidates {
                if lab.is_blob_referenced(blob) {
                    continue;
                }
                let Some(entry) = self.blobs.get(&blob) else {
                    continue;
                };
                if let Command::Write(cmd::Write {
                    group,
                    disk,
                    offset,
                    data: WriteData::Stored { length, .. },
                }) = &entry.logged
                {
                    let rewritten = Command::Write(cmd::Write {
                        group: group.clone(),
                        disk: disk.clone(),
                        offset: *offset,
                        data: WriteData::Freed { length: *length },
                    });
                    batch.puts.push((
                        log_key(entry.seq),
                        serde_json::to_vec(&rewritten)
                            .expect("commands serialise")
                            .into(),
                    ));
                    batch
                        .deletes
                        .extend((0..chunk_count(*length)).map(|i| chunk_key(blob, i)));
                    freed.push(blob);
                }
            }
        }
        batch.strict = !freed.is_empty();
        Prepared {
            batch,
            result,
            lab,
            new_blob,
            freed,
        }
    }

    /// Takes a prepared operation whose batch the store has committed, and
    /// returns the operation's own result (a refusal is committed too: it is
    /// in the log, so a replay shows it again).
    pub fn accept(&mut self, prepared: &Prepared) -> Result<String> {
        self.lab = prepared.lab.clone();
        self.entries += 1;
        if let Some((blob, entry)) = &prepared.new_blob {
            self.blobs.insert(*blob, entry.clone());
        }
        for blob in &prepared.freed {
            self.blobs.remove(blob);
        }
        prepared.result.clone()
    }

    /// The lab as it will be once `prepared` is accepted.
    pub fn lab_after(prepared: &Prepared) -> &Lab {
        &prepared.lab
    }

    /// Blobs still stored (not freed).
    pub fn stored_blobs(&self) -> impl Iterator<Item = u64> + '_ {
        self.blobs.keys().copied()
    }

    /// Blobs `command` may leave unreferenced: those held by what it deletes
    /// or overwrites.
    fn blobs_at_risk(&self, command: &Command) -> BTreeSet<u64> {
        let lab = &self.lab;
        match command {
            Command::DeleteSnapshot(cmd::DeleteSnapshot { group, name }) => lab
                .find_snapshot(group, name)
                .map(|s| s.content.all_blobs())
                .unwrap_or_default(),
            Command::DeleteDisk(cmd::DeleteDisk { group, name }) => lab
                .find_disk(group, name)
                .map(|d| d.data.page_map().all_blobs())
                .unwrap_or_default(),
            Command::DeleteGroup(cmd::DeleteGroup { .. }) => {
                lab.page_maps().flat_map(|m| m.all_blobs()).collect()
            }
            Command::Write(cmd::Write {
                group,
                disk,
                offset,
                data,
            }) => self.blobs_under(group, disk, *offset, data.length()),
            Command::Clear(cmd::Clear {
                group,
                disk,
                offset,
                length,
            }) => self.blobs_under(group, disk, *offset, *length),
            _ => BTreeSet::new(),
        }
    }

    fn blobs_under(&self, group: &str, disk: &str, offset: u64, length: u64) -> BTreeSet<u64> {
        let Ok(disk) = self.lab.find_disk(group, disk) else {
            return BTreeSet::new();
        };
        match disk.data.check_range(offset, length) {
            Ok(range) => disk.data.page_map().blobs_in(range),
            Err(_) => BTreeSet::new(),
        }
    }
}

/// A blob's bytes, gathered from its chunks into one buffer that the page
/// map then shares (no further copy).
fn read_blob(records: &BTreeMap<String, Vec<u8>>, blob: u64, length: u64) -> Result<Value> {
    // The length is what a (possibly crafted) log entry claims: it is checked
    // against the chunks that exist (in u64, the same on 32-bit wasm), and
    // memory is sized by those chunks, never by the claim.
    let prefix = format!("chunk/{blob:016}/");
    let stored = records
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .count() as u64;
    let claimed = length.div_ceil(CHUNK_SIZE as u64);
    if claimed != stored {
        return Err(corrupt(format!(
            "blob {blob}: its log entry claims {length} bytes ({claimed} chunks), and {stored} chunks are stored"
        )));
    }
    let mut bytes = Vec::new();
    for index in 0..chunk_count(length) {
        let key = chunk_key(blob, index);
        let chunk = records
            .get(&key)
            .ok_or_else(|| corrupt(format!("{key} is missing")))?;
        bytes.extend_from_slice(chunk);
    }
    if bytes.len() as u64 != length {
        return Err(corrupt(format!(
            "blob {blob} has {} bytes, its log entry says {length}",
            bytes.len()
        )));
    }
    Ok(bytes.into())
}

// ---- a synchronous store -----------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    entries: BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn records(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.entries
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl BlockStore for MemoryStore {
    fn commit(&mut self, batch: Batch) -> Result<(), StoreError> {
        for key in batch.deletes {
            self.entries.remove(&key);
        }
        self.entries.extend(
            batch
                .puts
                .into_iter()
                .map(|(key, value)| (key, value.to_vec())),
        );
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.entries.get(key).cloned())
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .entries
            .range(prefix.to_string()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(prefix))
            .cloned()
            .collect())
    }
}

/// Wraps a store and fails its `fail_at`-th commit (1-based), like a quota
/// running out at the worst moment (redb's fault-injection idea).
#[derive(Debug, Clone)]
pub struct FaultyStore<S> {
    pub inner: S,
    pub fail_at: Option<u64>,
    commits: u64,
}

impl<S> FaultyStore<S> {
    pub fn new(inner: S, fail_at: Option<u64>) -> Self {
        FaultyStore {
            inner,
            fail_at,
            commits: 0,
        }
    }
}

impl<S: BlockStore> BlockStore for FaultyStore<S> {
    fn commit(&mut self, batch: Batch) -> Result<(), StoreError> {
        self.commits += 1;
        if Some(self.commits) == self.fail_at {
            return Err(StoreError("QuotaExceededError (injected)".into()));
        }
        self.inner.commit(batch)
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(key)
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.keys(prefix)
    }
}

/// A lab whose every operation is durably committed before it counts.
pub struct Session<S: BlockStore> {
    journal: Journal,
    store: S,
}

impl<S: BlockStore> Session<S> {
    /// Opens the lab kept in `store`: replays its log and finishes any recovery.
    pub fn open(mut store: S) -> Result<Self> {
        let failed = |e: StoreError| EngineError::StorageFailed { detail: e.0 };
        let mut records = BTreeMap::new();
        for key in store.keys("").map_err(failed)? {
            let value = store.get(&key).map_err(failed)?.unwrap_or_default();
            records.insert(key, value);
        }
        let Opened { journal, recovery } = Journal::open(&records)?;
        if !recovery.puts.is_empty() || !recovery.deletes.is_empty() {
            store.commit(recovery).map_err(failed)?;
        }
        Ok(Session { journal, store })
    }

    pub fn lab(&self) -> &Lab {
        self.journal.lab()
    }
    pub fn journal(&self) -> &Journal {
        &self.journal
    }
    pub fn store(&self) -> &S {
        &self.store
    }
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Executes `command`; it counts only once its batch is committed. If the
    /// commit fails, the lab and the store are as before and the error says so.
    pub fn execute(&mut self, command: Command) -> Result<String> {
        let prepared = self.journal.prepare(command);
        self.store
            .commit(prepared.batch.clone())
            .map_err(|e| EngineError::StorageFailed { detail: e.0 })?;
        self.journal.accept(&prepared)
    }
}

/// The records of a lab made by running `commands` from an empty lab: how
/// the app replaces its stored lab with a lesson's start, or with the lab
/// as it was earlier in its log (undo, time travel).
pub fn records_for(
    commands: impl IntoIterator<Item = Command>,
) -> Result<(BTreeMap<String, Vec<u8>>, Journal)> {
    let mut session = Session::open(MemoryStore::new())?;
    for command in commands {
        let _ = session.execute(command);
    }
    let journal = session.journal().clone();
    Ok((session.store().records().clone(), journal))
}

// ---- export and import ---------------------------------------------------------

/// The first bytes of an exported lab file.
pub const EXPORT_MAGIC: &[u8; 8] = b"SNAPLAB\0";
pub const EXPORT_FORMAT: u32 = 1;

/// Every record in one file: magic, format, count, then (key length u32,
/// key, value length u64, value) per record, then an FNV-1a-64 checksum of
/// all that came before. Little-endian throughout.
pub fn export(records: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(EXPORT_MAGIC);
    out.extend_from_slice(&EXPORT_FORMAT.to_le_bytes());
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for (key, value) in records {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        out.extend_from_slice(value);
    }
    let sum = stable_hash_bytes(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Reads an exported file back, checking it whole (format, checksum, and
/// that its log replays) before anything is changed.
pub fn import(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    read_export(file).map_err(|e| match e {
        EngineError::StorageCorrupt { detail } => EngineError::InvalidLabFile { detail },
        other => other,
    })
}

fn read_export(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let foreign = |why: &str| corrupt(format!("this is not a Snaplab lab file ({why})"));
    if file.len() < 28 || &file[..8] != EXPORT_MAGIC {
        return Err(foreign("it does not start with SNAPLAB"));
    }
    let (body, sum) = file.split_at(file.len() - 8);
    if stable_hash_bytes(body) != u64::from_le_bytes(sum.try_into().expect("8 bytes")) {
        return Err(corrupt(
            "the lab file is damaged: its checksum does not match".into(),
        ));
    }
    let mut at: usize = 8;
    // Lengths come from the file: checked, never trusted to size anything.
    let mut take = |n: u64| -> Result<&[u8]> {
        let slice = usize::try_from(n)
            .ok()
            .and_then(|n| Some(at..at.checked_add(n)?))
            .and_then(|range| body.get(range))
            .ok_or_else(|| corrupt("the lab file ends too early".into()))?;
        at += slice.len();
        Ok(slice)
    };
    let format = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    if format > EXPORT_FORMAT {
        return Err(corrupt(format!(
            "the lab file has format {format}, newer than this Snaplab reads ({EXPORT_FORMAT})"
        )));
    }
    let count = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let mut records = BTreeMap::new();
    for _ in 0..count {
        let key_len = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
        let key = std::str::from_utf8(take(u64::from(key_len))?)
            .map_err(|_| foreign("a key is not text"))?
            .to_string();
        let value_len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        records.insert(key, take(value_len)?.to_vec());
    }
    Journal::open(&records)?;
    Ok(records)
}
