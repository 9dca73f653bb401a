//! The journal: the lab, and what to store for each operation, without I/O.
//!
//! The lab is rebuilt by replaying the log (`state = replay(log)`). Each
//! user-level operation is one [`Batch`]: its chunks, its log entry and the
//! log's new running digest, committed together. The log entry is the
//! commit record (the pending/commit pattern of wa-sqlite's
//! IDBBatchAtomicVFS): chunks of a blob no committed entry could have made
//! (numbered at or past the next blob) are leftovers of an interrupted
//! operation, which the host sweeps with its next write.
//!
//! Blobs are stored once however many disks and snapshots share them
//! (copy-on-write lives in the engine's persistent page maps). When an
//! operation leaves a blob referenced by no disk or snapshot, the same batch
//! deletes its chunks and rewrites its log entry as `Freed`, which replays
//! to the same lab since no reachable page held those bytes.
//!
//! A checkpoint is believed only when it matches the log it claims to
//! summarise: its digest, chained through the log entries after it, must
//! give the digest stored with the log (or, with the whole log at hand,
//! the log's own digest at its position). Otherwise the log is replayed.

use std::collections::{BTreeMap, BTreeSet};

use super::checkpoint;
use super::records::{
    chain, chunk_blob, chunk_count, chunk_key, corrupt, digest_record, log_key, read_digest_record,
    Batch, Value, CHUNK_SIZE, DIGEST_KEY, EMPTY_DIGEST, SCHEMA_KEY, SCHEMA_VERSION,
};
use super::seal::{self, SealKey};
use crate::cmd::{self, Command, WriteData};
use crate::error::Result;
use crate::lab::Lab;
use bytes::Bytes;

/// A log entry that stored real bytes: where it is, and what it said.
use checkpoint::StoredBlob as BlobEntry;

thread_local! {
    static DECODED_ENTRIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many stored log entries this thread has decoded so far: what
/// opening a lab costs beyond its checkpoint, so tests can see that it
/// decodes only the log after the checkpoint (as [`crate::page_map::decoded_maps`]
/// shows it decodes no page map).
pub fn decoded_log_entries() -> u64 {
    DECODED_ENTRIES.with(std::cell::Cell::get)
}

/// A stored log entry's JSON, decoded (and counted).
fn decode_entry(key: &str, value: &[u8]) -> Result<Command> {
    DECODED_ENTRIES.with(|n| n.set(n.get() + 1));
    serde_json::from_slice(value)
        .map_err(|e| corrupt(format!("log entry {key} is unreadable: {e}")))
}

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
    let logged = decode_entry(key, value)?;
    let command = match &logged {
        Command::Write(cmd::Write {
            data: WriteData::Stored { blob, length },
            ..
        }) => with_bytes(&logged, read_blob(records, *blob, *length)?),
        _ => logged.clone(),
    };
    Ok((logged, command))
}
/// How many chunks of `blob` are stored.
fn chunks_stored(records: &BTreeMap<String, Vec<u8>>, blob: u64) -> usize {
    let prefix = format!("chunk/{blob:016}/");
    records
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .count()
}

/// One log entry as read at open.
struct LogEntry {
    seq: usize,
    key: String,
    logged: Command,
}

/// A new store gets its schema record; a newer schema is refused.
fn check_schema(records: &BTreeMap<String, Vec<u8>>, recovery: &mut Batch) -> Result<()> {
    match records.get(SCHEMA_KEY) {
        None if records.is_empty() => {
            recovery.puts.push((
                SCHEMA_KEY.into(),
                SCHEMA_VERSION.to_string().into_bytes().into(),
            ));
            Ok(())
        }
        None => Err(corrupt("it has records but no schema version".into())),
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
            Ok(())
        }
    }
}

/// The log entries given, decoded: contiguous, maybe not from 1 (a reader
/// may leave out what a checkpoint covers).
fn read_log(records: &BTreeMap<String, Vec<u8>>) -> Result<Vec<LogEntry>> {
    let mut entries: Vec<LogEntry> = Vec::new();
    for (key, value) in records
        .range("log/".to_string()..)
        .take_while(|(k, _)| k.starts_with("log/"))
    {
        let seq = key["log/".len()..]
            .parse::<usize>()
            .ok()
            .filter(|seq| log_key(*seq) == *key && *seq > 0)
            .ok_or_else(|| corrupt(format!("log entry {key} has no position")))?;
        if let Some(last) = entries.last() {
            if seq != last.seq + 1 {
                return Err(corrupt(format!(
                    "log entry {key} is out of sequence (expected {})",
                    log_key(last.seq + 1)
                )));
            }
        }
        let logged = decode_entry(key, value)?;
        entries.push(LogEntry {
            seq,
            key: key.clone(),
            logged,
        });
    }
    Ok(entries)
}

/// Restores `journal` from the newest checkpoint (within the log given)
/// that matches its log and can be read; any other checkpoint is stale and
/// goes in `recovery` to be dropped. Returns the position restored from.
#[allow(clippy::too_many_arguments)]
fn restore_checkpoint(
    records: &BTreeMap<String, Vec<u8>>,
    shared: Option<&(String, Bytes)>,
    (first, last): (usize, usize),
    trusted: &dyn Fn(usize, u64) -> bool,
    journal: &mut Journal,
    freed_since: &mut Vec<u64>,
    recovery: &mut Batch,
    warnings: &mut Vec<String>,
) -> Option<usize> {
    let mut from = None;
    let mut checkpoints: Vec<(&String, &[u8])> = records
        .range("checkpoint/".to_string()..)
        .take_while(|(k, _)| k.starts_with("checkpoint/"))
        .map(|(k, v)| (k, v.as_slice()))
        .chain(shared.map(|(k, v)| (k, v.as_ref())))
        .collect();
    checkpoints.sort_by_key(|(k, _)| *k);
    for (key, value) in checkpoints.into_iter().rev() {
        let seq = checkpoint::checkpoint_seq(key).filter(|s| *s >= first && *s <= last);
        if let (None, Some(seq)) = (from, seq) {
            let digest = checkpoint::digest_of(value);
            match digest {
                Some(d) if trusted(seq, d) => {
                    // The bytes handed over are shared; any other is copied.
                    let value = match shared {
                        Some((k, bytes)) if k == key => bytes.clone(),
                        _ => Bytes::copy_from_slice(value),
                    };
                    // Lazily only what this host sealed, when it keeps a key.
                    let strict = journal.verify_all
                        || journal
                            .seal
                            .is_some_and(|k| !seal::is_sealed(&k, records, key, &value));
                    if let Some(blobs) =
                        decode_checkpoint(records, &value, journal, (seq, d), strict)
                    {
                        for entry in blobs {
                            if chunks_stored(records, entry.blob) == 0 {
                                // Freed after the checkpoint: the tail frees it again.
                                freed_since.push(entry.blob);
                            } else {
                                journal.blobs.insert(entry.blob, entry);
                            }
                        }
                        from = Some(seq);
                        continue;
                    }
                    warnings.push(format!("{key} cannot be read; the log is replayed instead"));
                }
                // A checkpoint of an older format: a full replay, nothing wrong.
                None => {}
                Some(_) => warnings.push(format!(
                    "{key} does not match the log it claims to summarise; the log is replayed instead"
                )),
            }
        }
        recovery.deletes.push(key.clone());
    }
    from
}

/// A checkpoint decoded into `journal` (its lab and digest); its index of
/// stored blobs. `None` if it cannot be read (a cache missed, no more).
fn decode_checkpoint(
    records: &BTreeMap<String, Vec<u8>>,
    value: &Bytes,
    journal: &mut Journal,
    (seq, digest): (usize, u64),
    strict: bool,
) -> Option<Vec<BlobEntry>> {
    let read = |blob, length| match chunks_stored(records, blob) {
        0 => Ok(None),
        _ => read_blob(records, blob, length)
            .map(Some)
            .map_err(|e| e.to_string()),
    };
    let (lab, index) = match strict {
        true => checkpoint::decode_strict(value, read),
        false => checkpoint::decode_shared(value, read),
    }
    .ok()?;
    journal.lab = lab;
    journal.lab.log_base = seq;
    journal.digest = digest;
    Some(index)
}

/// The command a logged one replays as: a write's real bytes gathered from
/// their chunks in place of `Stored`.
fn with_stored_bytes(records: &BTreeMap<String, Vec<u8>>, logged: &Command) -> Result<Command> {
    Ok(match logged {
        Command::Write(cmd::Write {
            data: WriteData::Stored { blob, length },
            ..
        }) => with_bytes(logged, read_blob(records, *blob, *length)?),
        _ => logged.clone(),
    })
}

/// The pure half of storage: the lab, and what to store for each operation.
#[derive(Debug, Clone)]
pub struct Journal {
    lab: Lab,
    /// Log entries written so far (the next one is `entries + 1`).
    entries: usize,
    blobs: BTreeMap<u64, BlobEntry>,
    /// The log position of the stored checkpoint, if there is one.
    checkpoint: Option<usize>,
    /// How often a checkpoint is written (0: every [`checkpoint::CHECKPOINT_EVERY`]).
    checkpoint_every: usize,
    /// The running digest of the log up to `entries` ([`chain`]).
    digest: u64,
    /// Writes whose bytes the store no longer keeps (freed, or refused) but
    /// whose bytes the lab's log in memory still holds, so this session's
    /// history can still show them: (log position, bytes), oldest first,
    /// at most [`FREED_BYTES_KEPT`] in all.
    held: std::collections::VecDeque<(usize, u64)>,
    /// The host's seal key, if it keeps one: its checkpoints are sealed, and
    /// at open only sealed ones are trusted lazily ([`super::seal`]).
    seal: Option<SealKey>,
    /// Decode every checkpoint whole at open, sealed or not (`snaplab check`).
    verify_all: bool,
}

/// How many bytes of payloads the store has let go (overwritten, deleted,
/// refused) the lab's log in memory keeps, newest first, so that history
/// within a session still shows them. Older ones are released, and history
/// names them as not kept, as it does for every one after a reload.
pub const FREED_BYTES_KEPT: u64 = 64 << 20;

impl Default for Journal {
    fn default() -> Self {
        Journal {
            lab: Lab::default(),
            entries: 0,
            blobs: BTreeMap::new(),
            checkpoint: None,
            checkpoint_every: 0,
            digest: EMPTY_DIGEST,
            held: Default::default(),
            seal: None,
            verify_all: false,
        }
    }
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
    digest: u64,
    held: std::collections::VecDeque<(usize, u64)>,
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
    /// What opening found wrong and passed over, in words (a checkpoint
    /// that does not match its log, chunks nothing names): a host shows them.
    pub warnings: Vec<String>,
}

impl Journal {
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// Log entries stored so far: the next operation is entry `entries() + 1`.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Rebuilds the lab from the stored records given: all of them, or what
    /// a lab opens from (the newest checkpoint and the log from it on).
    /// Fails when the records given cannot make the lab (a reader then
    /// gives them all: [`super::plan::OpenPlan`]).
    pub fn open(records: &BTreeMap<String, Vec<u8>>) -> Result<Opened> {
        Self::open_sharing(records, None)
    }

    /// [`open`](Self::open), with one checkpoint's bytes (its key and
    /// value, left out of `records`) handed over to be shared: what the
    /// lab leaves encoded (page maps, history) keeps slices of it.
    pub fn open_sharing(
        records: &BTreeMap<String, Vec<u8>>,
        shared: Option<&(String, Bytes)>,
    ) -> Result<Opened> {
        Self::open_sealed(records, shared, None)
    }

    /// [`open_sharing`](Self::open_sharing) for a host with a seal key:
    /// a checkpoint it did not seal is decoded whole at open, and the
    /// checkpoints it writes are sealed ([`super::seal`]).
    pub fn open_sealed(
        records: &BTreeMap<String, Vec<u8>>,
        shared: Option<&(String, Bytes)>,
        seal: Option<&SealKey>,
    ) -> Result<Opened> {
        Self::open_checking(records, shared, seal, false)
    }

    /// [`open`](Self::open), decoding every checkpoint whole whoever
    /// sealed it: what `snaplab check` does, so a checkpoint that cannot
    /// be read is found (a warning) rather than trusted.
    pub fn open_verified(records: &BTreeMap<String, Vec<u8>>) -> Result<Opened> {
        Self::open_checking(records, None, None, true)
    }

    fn open_checking(
        records: &BTreeMap<String, Vec<u8>>,
        shared: Option<&(String, Bytes)>,
        seal: Option<&SealKey>,
        verify_all: bool,
    ) -> Result<Opened> {
        let mut recovery = Batch::default();
        let mut warnings = Vec::new();
        check_schema(records, &mut recovery)?;
        let entries = read_log(records)?;
        let first = entries.first().map_or(1, |e| e.seq);
        let last = entries.last().map_or(0, |e| e.seq);
        // The digest stored with the log, if it is of this log's end.
        let stored_digest = records
            .get(DIGEST_KEY)
            .and_then(|v| read_digest_record(v))
            .filter(|(seq, _)| *seq == last)
            .map(|(_, d)| d);
        // With the whole log at hand, its digest at every position.
        let prefix: Option<Vec<u64>> = (first == 1).then(|| {
            let mut d = EMPTY_DIGEST;
            std::iter::once(d)
                .chain(entries.iter().map(|e| {
                    d = chain(d, &e.logged);
                    d
                }))
                .collect()
        });
        let trusted = |seq: usize, digest: u64| match &prefix {
            Some(prefix) => prefix.get(seq) == Some(&digest),
            None => stored_digest.is_some_and(|stored| {
                let tail = entries.iter().filter(|e| e.seq > seq);
                tail.fold(digest, |d, e| chain(d, &e.logged)) == stored
            }),
        };

        let mut journal = Journal {
            seal: seal.copied(),
            verify_all,
            ..Journal::default()
        };
        let mut freed_since = Vec::new();
        let from_checkpoint = restore_checkpoint(
            records,
            shared,
            (first, last),
            &trusted,
            &mut journal,
            &mut freed_since,
            &mut recovery,
            &mut warnings,
        );
        if first != 1 && last > 0 && from_checkpoint.is_none() {
            return Err(corrupt(format!(
                "log entry {} is out of sequence (expected {}): no checkpoint stands in for the entries before it",
                log_key(first),
                log_key(1)
            )));
        }
        journal.entries = last;
        journal.checkpoint = from_checkpoint;
        let replayed_from = from_checkpoint.unwrap_or(0);
        for entry in entries.into_iter().filter(|e| e.seq > replayed_from) {
            journal.digest = chain(journal.digest, &entry.logged);
            journal.replay_entry(records, entry)?;
        }
        match stored_digest {
            Some(stored) if stored == journal.digest => {}
            _ if last == 0 => {}
            stored => {
                if stored.is_some() || records.contains_key(DIGEST_KEY) {
                    warnings.push(format!(
                        "{DIGEST_KEY} does not match the log; it is written anew"
                    ));
                }
                recovery.puts.push((
                    DIGEST_KEY.into(),
                    digest_record(last, journal.digest).into(),
                ));
            }
        }
        if let Some(blob) = freed_since
            .into_iter()
            .find(|b| journal.lab.is_blob_referenced(*b))
        {
            return Err(corrupt(format!(
                "blob {blob} is still used, and its chunks are missing"
            )));
        }
        journal.sweep(records, &mut recovery, &mut warnings);
        Ok(Opened {
            journal,
            recovery,
            from_checkpoint,
            warnings,
        })
    }

    /// Replays one log entry read at open, indexing the blob it stores.
    fn replay_entry(&mut self, records: &BTreeMap<String, Vec<u8>>, entry: LogEntry) -> Result<()> {
        let LogEntry { seq, key, logged } = entry;
        // Blobs are numbered in log order. Checked before the blob's bytes
        // are gathered: a crafted log naming one stored blob in thousands
        // of entries would otherwise copy it once per entry.
        if let Command::Write(cmd::Write {
            data: WriteData::Stored { blob, .. },
            ..
        }) = &logged
        {
            if *blob != self.lab.next_blob_id() || self.blobs.contains_key(blob) {
                return Err(corrupt(format!(
                    "log entry {key} names blob {blob}, expected {}",
                    self.lab.next_blob_id()
                )));
            }
        }
        let command = with_stored_bytes(records, &logged)?;
        if let Command::Write(cmd::Write {
            data: WriteData::Stored { blob, .. },
            ..
        }) = &logged
        {
            self.blobs.insert(
                *blob,
                BlobEntry {
                    blob: *blob,
                    seq,
                    logged,
                },
            );
        }
        let _ = self.lab.execute(command);
        Ok(())
    }

    /// Chunks no committed entry names: those of a blob the log has not
    /// reached (numbered at or past the next blob) are an interrupted
    /// operation's and are swept with the next write; any other is only
    /// reported, never deleted (nothing proves it unreferenced).
    fn sweep(
        &self,
        records: &BTreeMap<String, Vec<u8>>,
        recovery: &mut Batch,
        warnings: &mut Vec<String>,
    ) {
        let next = self.lab.next_blob_id();
        let mut kept = BTreeSet::new();
        for key in records
            .range("chunk/".to_string()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with("chunk/"))
        {
            match chunk_blob(key) {
                Some(b) if self.blobs.contains_key(&b) => {}
                Some(b) if b >= next => recovery.deletes.push(key.clone()),
                other => {
                    kept.insert(other.map_or(key.clone(), |b| b.to_string()));
                }
            }
        }
        if !kept.is_empty() {
            warnings.push(format!(
                "chunks of blob(s) {} are stored but no log entry names them; they are kept",
                kept.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
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

        let (logged, blob_bytes) = stored_form(&lab, &command);
        let blob_length = blob_bytes.as_ref().map(|(_, b)| b.len() as u64);
        let result = lab.execute(command);
        let (logged, new_blob) = logged_after(logged, &result, blob_bytes, seq, &mut batch);
        let digest = chain(self.digest, &logged);
        batch.puts.push((
            log_key(seq),
            serde_json::to_vec(&logged)
                .expect("commands serialise")
                .into(),
        ));
        batch
            .puts
            .push((DIGEST_KEY.into(), digest_record(seq, digest).into()));

        // Blobs this operation left unreferenced are freed in the same batch.
        let freed = match result.is_ok() {
            true => self.free_unreferenced(candidates, &lab, &mut batch),
            false => Vec::new(),
        };
        batch.strict = !freed.is_empty();
        let refused = match (&result, blob_length) {
            (Err(_), Some(write)) => Some((seq, write)),
            _ => None,
        };
        let held = self.held_after(&freed, refused, &mut lab);
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
            Self::put_checkpoint(
                (self.checkpoint, self.seal.as_ref()),
                &stored,
                &mut batch,
                &lab,
                (seq, digest),
            );
            checkpoint = Some(seq);
        }
        Prepared {
            batch,
            result,
            lab,
            new_blob,
            freed,
            checkpoint,
            digest,
            held,
        }
    }

    /// Deletes the chunks of the `candidates` `lab` no longer references,
    /// and rewrites their log entries as `Freed`, in `batch`: the blobs freed.
    fn free_unreferenced(
        &self,
        candidates: BTreeSet<u64>,
        lab: &Lab,
        batch: &mut Batch,
    ) -> Vec<u64> {
        let mut freed = Vec::new();
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
        freed
    }

    /// The bytes held in memory after an operation: those the store lets go
    /// (`freed` here, or a `refused` write's, never kept) stay in the log in
    /// memory up to FREED_BYTES_KEPT, newest first; past it the oldest
    /// become `Freed` writes in `lab`'s log too.
    fn held_after(
        &self,
        freed: &[u64],
        refused: Option<(usize, u64)>,
        lab: &mut Lab,
    ) -> std::collections::VecDeque<(usize, u64)> {
        let mut held = self.held.clone();
        for blob in freed {
            if let Some(BlobEntry {
                seq,
                logged:
                    Command::Write(cmd::Write {
                        data: WriteData::Stored { length, .. },
                        ..
                    }),
                ..
            }) = self.blobs.get(blob)
            {
                held.push_back((*seq, *length));
            }
        }
        held.extend(refused);
        let mut total: u64 = held.iter().map(|(_, len)| len).sum();
        while total > FREED_BYTES_KEPT {
            let (seq, len) = held.pop_front().expect("a total above 0 has entries");
            forget_bytes(lab, seq);
            total -= len;
        }
        held
    }

    /// Takes a prepared operation whose batch the store has committed, and
    /// returns the operation's own result (a refusal is committed too: it is
    /// in the log, so a replay shows it again).
    pub fn accept(&mut self, prepared: &Prepared) -> Result<String> {
        self.lab = prepared.lab.clone();
        self.entries += 1;
        self.digest = prepared.digest;
        if let Some((blob, entry)) = &prepared.new_blob {
            self.blobs.insert(*blob, entry.clone());
        }
        for blob in &prepared.freed {
            self.blobs.remove(blob);
        }
        self.held = prepared.held.clone();
        if prepared.checkpoint.is_some() {
            self.checkpoint = prepared.checkpoint;
        }
        prepared.result.clone()
    }

    fn put_checkpoint(
        (previous, key): (Option<usize>, Option<&SealKey>),
        blobs: &BTreeMap<u64, BlobEntry>,
        batch: &mut Batch,
        lab: &Lab,
        (seq, digest): (usize, u64),
    ) {
        if let Some(old) = previous.filter(|&old| old != seq) {
            batch.deletes.push(checkpoint::checkpoint_key(old));
            batch
                .deletes
                .push(seal::record_key(&checkpoint::checkpoint_key(old)));
        }
        let stored: Vec<BlobEntry> = blobs.values().cloned().collect();
        let bytes = checkpoint::encode_with(lab, &stored, digest);
        if let Some(key) = key {
            batch.puts.push((
                seal::record_key(&checkpoint::checkpoint_key(seq)),
                seal::seal(key, &bytes).into(),
            ));
        }
        batch
            .puts
            .push((checkpoint::checkpoint_key(seq), bytes.into()));
    }

    /// A batch that stores a checkpoint of the lab as it is now (replacing
    /// the previous one): how a lab that was just imported or replaced is
    /// stored, so that it opens without replaying its whole log. Accept it
    /// with [`checkpoint_stored`](Self::checkpoint_stored) once committed.
    pub fn checkpoint_batch(&self) -> Batch {
        let mut batch = Batch::default();
        if self.entries > 0 && self.checkpoint != Some(self.entries) {
            Self::put_checkpoint(
                (self.checkpoint, self.seal.as_ref()),
                &self.blobs,
                &mut batch,
                &self.lab,
                (self.entries, self.digest),
            );
            batch.puts.push((
                DIGEST_KEY.into(),
                digest_record(self.entries, self.digest).into(),
            ));
        }
        batch
    }

    /// Notes that [`checkpoint_batch`](Self::checkpoint_batch) was committed.
    pub fn checkpoint_stored(&mut self) {
        if self.entries > 0 {
            self.checkpoint = Some(self.entries);
        }
    }

    /// The running digest of the log so far.
    pub fn digest(&self) -> u64 {
        self.digest
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

/// How `command` is logged before it runs: a write of real bytes as
/// `Stored` in the next blob (its bytes handed back to be chunked), any
/// other command as it is.
fn stored_form(lab: &Lab, command: &Command) -> (Command, Option<(u64, Value)>) {
    match command {
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
    }
}

/// How `logged` (entry `seq`) is stored once it ran: an accepted write's
/// bytes go in `batch` as chunks of its new blob (indexed); a refused
/// write keeps no bytes, its refusal depending only on where and how long.
fn logged_after(
    logged: Command,
    result: &Result<String>,
    blob_bytes: Option<(u64, Value)>,
    seq: usize,
    batch: &mut Batch,
) -> (Command, Option<(u64, BlobEntry)>) {
    match (logged, result, blob_bytes) {
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
            let entry = BlobEntry {
                blob,
                seq,
                logged: logged.clone(),
            };
            (logged, Some((blob, entry)))
        }
        (
            Command::Write(cmd::Write {
                group,
                disk,
                offset,
                ..
            }),
            Err(_),
            Some((_, bytes)),
        ) => (
            Command::Write(cmd::Write {
                group,
                disk,
                offset,
                data: WriteData::Freed {
                    length: bytes.len() as u64,
                },
            }),
            None,
        ),
        (logged, _, _) => (logged, None),
    }
}

/// Rewrites log entry `seq` of `lab`'s log in memory, if it is a write of
/// real bytes, as the `Freed` write the store logs for it: it replays the
/// same (no reachable page holds those bytes), and its bytes are released.
fn forget_bytes(lab: &mut Lab, seq: usize) {
    let Some(index) = seq.checked_sub(lab.log_base + 1) else {
        return;
    };
    if let Some(Command::Write(
        write @ cmd::Write {
            data: WriteData::Bytes { bytes },
            ..
        },
    )) = lab.log.get(index)
    {
        let freed = Command::Write(cmd::Write {
            data: WriteData::Freed {
                length: bytes.len() as u64,
            },
            ..write.clone()
        });
        lab.log.set(index, freed);
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
