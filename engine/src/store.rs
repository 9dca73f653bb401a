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

use crate::checkpoint;
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
use checkpoint::StoredBlob as BlobEntry;

/// A logged write with its real bytes back in place of `Stored`.
fn with_bytes(logged: &Command, bytes: Value) -> Command {
    match logged {
        Command::Write(cmd::Write {
            group,
            disk,
            offset,
            ..
        }) => Command::Write(cmd::Write {
            group: group.clone(),
            disk: disk.clone(),
            offset: *offset,
            data: WriteData::bytes(bytes),
        }),
        other => other.clone(),
    }
}

/// A stored log entry, read: what it says, and the command to replay (a
/// write's real bytes gathered from their chunks in place of `Stored`).
fn read_entry(
    records: &BTreeMap<String, Vec<u8>>,
    key: &str,
    value: &[u8],
) -> Result<(Command, Command)> {
    let logged: Command = serde_json::from_slice(value)
        .map_err(|e| corrupt(format!("log entry {key} is unreadable: {e}")))?;
    let command = match &logged {
        Command::Write(cmd::Write {
            data: WriteData::Stored { blob, length },
            ..
        }) => with_bytes(&logged, read_blob(records, *blob, *length)?),
        _ => logged.clone(),
    };
    Ok((logged, command))
}

/// Does a lab open from `key`, given its newest checkpoint? Everything but
/// the log entries that checkpoint stands in for. (The app reads the same
/// records by key range, `IdbStore::load_recent`.)
pub fn opens_from(key: &str, newest_checkpoint: Option<usize>) -> bool {
    match key.strip_prefix("log/") {
        Some(_) => newest_checkpoint.is_none_or(|c| key >= log_key(c).as_str()),
        None => true,
    }
}

/// The newest checkpoint `keys` name.
pub fn newest_checkpoint<'a>(keys: impl IntoIterator<Item = &'a String>) -> Option<usize> {
    keys.into_iter()
        .filter_map(|k| checkpoint::checkpoint_seq(k))
        .max()
}

/// How many chunks of `blob` are stored.
fn chunks_stored(records: &BTreeMap<String, Vec<u8>>, blob: u64) -> usize {
    let prefix = format!("chunk/{blob:016}/");
    records
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .count()
}

/// The pure half of storage: the lab, and what to store for each operation.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    lab: Lab,
    /// Log entries written so far (the next one is `entries + 1`).
    entries: usize,
    blobs: BTreeMap<u64, BlobEntry>,
    /// The log position of the stored checkpoint, if there is one.
    checkpoint: Option<usize>,
    /// How often a checkpoint is written (0: every [`checkpoint::CHECKPOINT_EVERY`]).
    checkpoint_every: usize,
}

/// An operation worked out but not yet stored: commit `batch`, then `accept` it.
#[derive(Debug)]
pub struct Prepared {
    pub batch: Batch,
    pub result: Result<String>,
    lab: Lab,
    new_blob: Option<(u64, BlobEntry)>,
    freed: Vec<u64>,
    checkpoint: Option<usize>,
}

/// What [`Journal::open`] found.
#[derive(Debug)]
pub struct Opened {
    pub journal: Journal,
    /// Leftovers of an interrupted operation (chunks no committed entry
    /// names), and a schema record to write for a new store: commit this
    /// batch to finish recovery. Empty when there is nothing to do.
    pub recovery: Batch,
    /// The checkpoint the lab was opened from (its log position), if one
    /// could be used: only the log after it was replayed.
    pub from_checkpoint: Option<usize>,
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

        // The log's positions, from its keys alone: contiguous, maybe not
        // from 1 (a reader may leave out what a checkpoint covers).
        let mut positions = Vec::new();
        for key in records
            .range("log/".to_string()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with("log/"))
        {
            let seq = key["log/".len()..]
                .parse::<usize>()
                .ok()
                .filter(|seq| log_key(*seq) == *key && *seq > 0)
                .ok_or_else(|| corrupt(format!("log entry {key} has no position")))?;
            if let Some(&last) = positions.last() {
                if seq != last + 1 {
                    return Err(corrupt(format!(
                        "log entry {key} is out of sequence (expected {})",
                        log_key(last + 1)
                    )));
                }
            }
            positions.push(seq);
        }
        let first = positions.first().copied().unwrap_or(1);
        let last = positions.last().copied().unwrap_or(0);

        // The newest checkpoint whose entry was read; any other is stale.
        // Only the entries after it are decoded and replayed.
        let mut journal = Journal::default();
        let mut from_checkpoint = None;
        let mut freed_since = Vec::new();
        let checkpoints: Vec<(&String, &Vec<u8>)> = records
            .range("checkpoint/".to_string()..)
            .take_while(|(k, _)| k.starts_with("checkpoint/"))
            .collect();
        for (key, value) in checkpoints.iter().rev() {
            let usable = from_checkpoint.is_none()
                && checkpoint::checkpoint_seq(key).is_some_and(|seq| seq >= first && seq <= last);
            if usable {
                let seq = checkpoint::checkpoint_seq(key).expect("checked");
                // A checkpoint that cannot be read is only a cache missed:
                // the log is replayed instead, and the checkpoint dropped.
                let read = |blob, length| match chunks_stored(records, blob) {
                    0 => Ok(None),
                    _ => read_blob(records, blob, length)
                        .map(Some)
                        .map_err(|e| e.to_string()),
                };
                if let Ok((lab, index)) = checkpoint::decode_with(value, read) {
                    journal.lab = lab;
                    journal.lab.log_base = seq;
                    for entry in index {
                        if chunks_stored(records, entry.blob) == 0 {
                            // Freed after the checkpoint: the tail frees it again.
                            freed_since.push(entry.blob);
                        } else {
                            journal.blobs.insert(entry.blob, entry);
                        }
                    }
                    from_checkpoint = Some(seq);
                    continue;
                }
            }
            recovery.deletes.push((*key).clone());
        }
        let replayed_from = from_checkpoint.unwrap_or(0);
        if first != 1 && last > 0 && from_checkpoint.is_none() {
            // (A reader that left them out for a checkpoint that turned out
            // unusable reads them all and opens again.)
            return Err(corrupt(format!(
                "log entry {} is out of sequence (expected {}): no checkpoint stands in for the entries before it",
                log_key(first),
                log_key(1)
            )));
        }
        journal.entries = last;
        journal.checkpoint = from_checkpoint;

        for (key, value) in records
            .range(log_key(replayed_from + 1)..)
            .take_while(|(k, _)| k.starts_with("log/"))
        {
            let seq = replayed_from + 1 + journal.lab.log.len();
            let (logged, command) = read_entry(records, key, value)?;
            if let Command::Write(cmd::Write {
                data: WriteData::Stored { blob, .. },
                ..
            }) = &logged
            {
                // Blobs are numbered in log order.
                if *blob != journal.lab.next_blob_id() {
                    return Err(corrupt(format!(
                        "log entry {key} names blob {blob}, expected {}",
                        journal.lab.next_blob_id()
                    )));
                }
                journal.blobs.insert(
                    *blob,
                    BlobEntry {
                        blob: *blob,
                        seq,
                        logged,
                    },
                );
            }
            let _ = journal.lab.execute(command);
        }
        if let Some(blob) = freed_since
            .into_iter()
            .find(|b| journal.lab.is_blob_referenced(*b))
        {
            return Err(corrupt(format!(
                "blob {blob} is still used, and its chunks are missing"
            )));
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
            if !blob.is_some_and(|b| journal.blobs.contains_key(&b)) {
                recovery.deletes.push(key.clone());
            }
        }
        Ok(Opened {
            journal,
            recovery,
            from_checkpoint,
        })
    }

    /// The log before the checkpoint the lab was opened from, once attached
    /// (to attach to a later journal of the same lab, which lacks it too).
    pub fn older_log(&self, base: usize) -> Option<crate::lab::Log> {
        (self.lab.has_whole_log() && self.lab.operations() >= base)
            .then(|| self.lab.log_shared().take(base))
    }

    /// Attaches `older` (from [`older_log`](Self::older_log)) if it is
    /// exactly the part this journal's lab lacks.
    pub fn attach_older_log(&mut self, older: crate::lab::Log) -> bool {
        self.lab.attach_older(older)
    }

    /// Puts the log before the checkpoint the lab was opened from back in
    /// memory, from `records` holding its entries (and the chunks of the
    /// blobs they still store): what history, undo and share links need.
    /// Refused, changing nothing, unless they are exactly the missing ones.
    pub fn attach_older(&mut self, records: &BTreeMap<String, Vec<u8>>) -> Result<()> {
        let base = self.lab.log_base();
        if base == 0 {
            return Ok(());
        }
        let mut older = imbl::Vector::new();
        for (key, value) in records.range(log_key(1)..=log_key(base)) {
            if *key != log_key(older.len() + 1) {
                return Err(corrupt(format!(
                    "log entry {key} is out of sequence (expected {})",
                    log_key(older.len() + 1)
                )));
            }
            older.push_back(read_entry(records, key, value)?.1);
        }
        if !self.lab.attach_older(older) {
            return Err(corrupt(format!(
                "log entries 1 to {base} were not all there"
            )));
        }
        Ok(())
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
                        blob,
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
        // Every CHECKPOINT_EVERY entries, the lab after this one is stored
        // too (replacing the previous checkpoint), in the same batch: a
        // checkpoint can never be ahead of the log it caches.
        let mut checkpoint = None;
        if seq % self.checkpoint_every() == 0 {
            // The blobs stored once this operation is: its own included,
            // those it frees not.
            let mut stored = self.blobs.clone();
            if let Some((blob, entry)) = &new_blob {
                stored.insert(*blob, entry.clone());
            }
            for blob in &freed {
                stored.remove(blob);
            }
            Self::put_checkpoint(self.checkpoint, &stored, &mut batch, &lab, seq);
            checkpoint = Some(seq);
        }
        Prepared {
            batch,
            result,
            lab,
            new_blob,
            freed,
            checkpoint,
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
        if prepared.checkpoint.is_some() {
            self.checkpoint = prepared.checkpoint;
        }
        prepared.result.clone()
    }

    fn put_checkpoint(
        previous: Option<usize>,
        blobs: &BTreeMap<u64, BlobEntry>,
        batch: &mut Batch,
        lab: &Lab,
        seq: usize,
    ) {
        if let Some(old) = previous.filter(|&old| old != seq) {
            batch.deletes.push(checkpoint::checkpoint_key(old));
        }
        let stored: Vec<BlobEntry> = blobs.values().cloned().collect();
        batch.puts.push((
            checkpoint::checkpoint_key(seq),
            checkpoint::encode_with(lab, &stored).into(),
        ));
    }

    /// A batch that stores a checkpoint of the lab as it is now (replacing
    /// the previous one): how a lab that was just imported or replaced is
    /// stored, so that it opens without replaying its whole log. Accept it
    /// with [`checkpoint_stored`](Self::checkpoint_stored) once committed.
    pub fn checkpoint_batch(&self) -> Batch {
        let mut batch = Batch::default();
        if self.entries > 0 && self.checkpoint != Some(self.entries) {
            Self::put_checkpoint(
                self.checkpoint,
                &self.blobs,
                &mut batch,
                &self.lab,
                self.entries,
            );
        }
        batch
    }

    /// Notes that [`checkpoint_batch`](Self::checkpoint_batch) was committed.
    pub fn checkpoint_stored(&mut self) {
        if self.entries > 0 {
            self.checkpoint = Some(self.entries);
        }
    }

    /// The log position of the stored checkpoint, if there is one.
    pub fn checkpoint(&self) -> Option<usize> {
        self.checkpoint
    }

    /// Entries between checkpoints.
    pub fn checkpoint_every(&self) -> usize {
        match self.checkpoint_every {
            0 => checkpoint::CHECKPOINT_EVERY,
            n => n,
        }
    }

    /// Writes checkpoints every `n` entries instead (tests use small `n` to
    /// put checkpoints everywhere a bug could hide).
    pub fn set_checkpoint_every(&mut self, n: usize) {
        self.checkpoint_every = n.max(1);
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
    let stored = chunks_stored(records, blob) as u64;
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

/// Wraps a store and keeps every batch committed through it, merged: what
/// a run changed (the native program appends it to its state file).
#[derive(Debug, Clone, Default)]
pub struct Recording<S> {
    pub inner: S,
    pub changes: Batch,
}

impl<S: BlockStore> BlockStore for Recording<S> {
    fn commit(&mut self, batch: Batch) -> Result<(), StoreError> {
        self.inner.commit(batch.clone())?;
        self.changes.merge(batch);
        Ok(())
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
    /// Opens the lab kept in `store` as the app opens its database: the
    /// newest checkpoint and the log from it on are read (the log before it
    /// is not, until [`attach_older`](Self::attach_older)); without a
    /// usable checkpoint, the whole log. Finishes any recovery.
    pub fn open(mut store: S) -> Result<Self> {
        let failed = |e: StoreError| EngineError::StorageFailed { detail: e.0 };
        let keys = store.keys("").map_err(failed)?;
        let newest = newest_checkpoint(&keys);
        let read = |store: &S, keep: &dyn Fn(&String) -> bool| {
            let mut records = BTreeMap::new();
            for key in keys.iter().filter(|k| keep(k)) {
                let value = store.get(key).map_err(failed)?.unwrap_or_default();
                records.insert(key.clone(), value);
            }
            Ok::<_, EngineError>(records)
        };
        let recent = |k: &String| opens_from(k, newest);
        let opened = match Journal::open(&read(&store, &recent)?) {
            // The checkpoint could not stand in for the log before it.
            Err(_) if newest.is_some() => Journal::open(&read(&store, &|_| true)?)?,
            other => other?,
        };
        let Opened {
            journal, recovery, ..
        } = opened;
        if !recovery.puts.is_empty() || !recovery.deletes.is_empty() {
            store.commit(recovery).map_err(failed)?;
        }
        Ok(Session { journal, store })
    }

    pub fn lab(&self) -> &Lab {
        self.journal.lab()
    }

    /// Reads the log before the checkpoint the lab was opened from, and
    /// puts it back in memory (history, undo and share links need it).
    pub fn attach_older(&mut self) -> Result<()> {
        let base = self.journal.lab().log_base();
        if base == 0 {
            return Ok(());
        }
        let failed = |e: StoreError| EngineError::StorageFailed { detail: e.0 };
        let last = log_key(base);
        let mut records = BTreeMap::new();
        for key in self.store.keys("log/").map_err(failed)? {
            if key <= last {
                let value = self.store.get(&key).map_err(failed)?.unwrap_or_default();
                records.insert(key, value);
            }
        }
        for key in self.store.keys("chunk/").map_err(failed)? {
            let value = self.store.get(&key).map_err(failed)?.unwrap_or_default();
            records.insert(key, value);
        }
        self.journal.attach_older(&records)
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
    pub fn journal_mut(&mut self) -> &mut Journal {
        &mut self.journal
    }

    /// Stores a checkpoint of the lab as it is now, if the newest one is
    /// older: what a program does on closing, so the next open replays nothing.
    pub fn checkpoint(&mut self) -> Result<()> {
        let batch = self.journal.checkpoint_batch();
        if !batch.is_empty() {
            self.store
                .commit(batch)
                .map_err(|e| EngineError::StorageFailed { detail: e.0 })?;
            self.journal.checkpoint_stored();
        }
        Ok(())
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
    // Stored with a checkpoint, so the replacement opens without a replay.
    session.checkpoint()?;
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
    export_located(records).0
}

/// [`export`], and where each record's value is in it.
pub fn export_located(
    records: &BTreeMap<String, Vec<u8>>,
) -> (Vec<u8>, BTreeMap<String, crate::state_file::Loc>) {
    let mut out = Vec::new();
    let mut locs = BTreeMap::new();
    out.extend_from_slice(EXPORT_MAGIC);
    out.extend_from_slice(&EXPORT_FORMAT.to_le_bytes());
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for (key, value) in records {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        locs.insert(
            key.clone(),
            crate::state_file::Loc {
                offset: out.len() as u64,
                len: value.len() as u64,
                hash: stable_hash_bytes(value),
            },
        );
        out.extend_from_slice(value);
    }
    let sum = stable_hash_bytes(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    (out, locs)
}

/// Reads a foreign lab file (an import, a file someone sent), checking it
/// whole before anything is changed: format, checksum, and a replay of its
/// whole log. Any checkpoint it carries is dropped unread, and one made
/// from the replay is stored with it, so the lab opens quickly from then on.
pub fn import(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let invalid = |e| match e {
        EngineError::StorageCorrupt { detail } => EngineError::InvalidLabFile { detail },
        other => other,
    };
    let mut records = read_export(file).map_err(invalid)?;
    records.retain(|key, _| !key.starts_with("checkpoint/"));
    let opened = Journal::open(&records).map_err(invalid)?;
    debug_assert!(opened.from_checkpoint.is_none());
    for (key, value) in opened.journal.checkpoint_batch().puts {
        records.insert(key, value.to_vec());
    }
    Ok(records)
}

/// Every record of a lab file: its export, then the frames the native
/// program appended to it ([`crate::state_file`]).
/// A file that ends partway through a frame is refused: an import takes
/// a file whole or not at all.
fn read_export(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let loaded = crate::state_file::parse(file)?;
    if loaded.ignored > 0 {
        return Err(corrupt(format!(
            "the lab file is damaged: its last {} bytes are not a whole save",
            loaded.ignored
        )));
    }
    Ok(loaded.records)
}

/// An export at the start of `file`: its records, where each value is, and
/// where it ends (frames may follow).
#[allow(clippy::type_complexity)]
pub(crate) fn parse_export(
    file: &[u8],
) -> Result<(
    BTreeMap<String, Vec<u8>>,
    BTreeMap<String, crate::state_file::Loc>,
    u64,
)> {
    let foreign = |why: &str| corrupt(format!("this is not a Snaplab lab file ({why})"));
    if file.len() < 28 || &file[..8] != EXPORT_MAGIC {
        return Err(foreign("it does not start with SNAPLAB"));
    }
    let mut at: usize = 8;
    // Lengths come from the file: checked, never trusted to size anything.
    let mut take = |n: u64| -> Result<(usize, &[u8])> {
        let start = at;
        let slice = usize::try_from(n)
            .ok()
            .and_then(|n| Some(at..at.checked_add(n)?))
            .and_then(|range| file.get(range))
            .ok_or_else(|| corrupt("the lab file ends too early".into()))?;
        at += slice.len();
        Ok((start, slice))
    };
    let format = u32::from_le_bytes(take(4)?.1.try_into().expect("4 bytes"));
    if format > EXPORT_FORMAT {
        return Err(corrupt(format!(
            "the lab file has format {format}, newer than this Snaplab reads ({EXPORT_FORMAT})"
        )));
    }
    let count = u64::from_le_bytes(take(8)?.1.try_into().expect("8 bytes"));
    let mut records = BTreeMap::new();
    let mut locs = BTreeMap::new();
    for _ in 0..count {
        let key_len = u32::from_le_bytes(take(4)?.1.try_into().expect("4 bytes"));
        let key = std::str::from_utf8(take(u64::from(key_len))?.1)
            .map_err(|_| foreign("a key is not text"))?
            .to_string();
        let value_len = u64::from_le_bytes(take(8)?.1.try_into().expect("8 bytes"));
        let (offset, value) = take(value_len)?;
        locs.insert(
            key.clone(),
            crate::state_file::Loc {
                offset: offset as u64,
                len: value.len() as u64,
                hash: 0,
            },
        );
        records.insert(key, value.to_vec());
    }
    let (body_end, sum) = take(8)?;
    if stable_hash_bytes(&file[..body_end]) != u64::from_le_bytes(sum.try_into().expect("8 bytes"))
    {
        return Err(corrupt(
            "the lab file is damaged: its checksum does not match".into(),
        ));
    }
    // Hashes are filled in by whoever needs them (the native state file).
    Ok((records, locs, at as u64))
}
