//! Synchronous hosts: a store behind a small trait (as redb keeps its I/O
//! behind `StorageBackend`), an in-memory one, a faulty one, a recording
//! one, and [`Session`], which opens a lab through the [`OpenPlan`] and
//! commits every operation before it counts.

use std::collections::BTreeMap;

use super::journal::Journal;
use super::plan::{checkpoint_range, KeyRange, Need, OpenOptions, OpenPlan, KEYS_END};
use super::records::{log_key, Batch};
use crate::cmd::Command;
use crate::error::{EngineError, Result};
use crate::lab::Lab;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

pub trait BlockStore {
    /// Applies every put and delete of `batch`, or none of them.
    fn commit(&mut self, batch: Batch) -> Result<(), StoreError>;
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Keys starting with `prefix`, in order.
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// The records whose keys are in `range`, in order. What opening reads
    /// through: a store that can seek (every real one: a B-tree, an
    /// IndexedDB `IDBKeyRange`) reads only those, so opening never walks
    /// the log before the checkpoint. This default lists every key.
    fn range(&self, range: &KeyRange) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut records = Vec::new();
        for key in self.keys("")? {
            if range.contains(&key) {
                let value = self.get(&key)?.unwrap_or_default();
                records.push((key, value));
            }
        }
        Ok(records)
    }
}

fn failed(e: StoreError) -> EngineError {
    EngineError::StorageFailed { detail: e.0 }
}

/// The records of `store` in `ranges`, each range read on its own.
fn read_ranges<S: BlockStore>(store: &S, ranges: &[KeyRange]) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut records = BTreeMap::new();
    for range in ranges {
        records.extend(store.range(range).map_err(failed)?);
    }
    Ok(records)
}

/// Drives an [`OpenPlan`] over a synchronous store to its end.
pub fn drive<S: BlockStore>(store: &mut S, mut plan: OpenPlan) -> Result<super::plan::Outcome> {
    loop {
        match plan.need() {
            Need::CheckpointKeys => {
                let keys = store.keys(&checkpoint_range().from).map_err(failed)?;
                plan.checkpoint_keys(&keys);
            }
            Need::Recent(ranges) => plan.records(read_ranges(store, &ranges)?)?,
            Need::Everything => plan.records(read_ranges(
                store,
                &[KeyRange {
                    from: String::new(),
                    to: KEYS_END.into(),
                }],
            )?)?,
            Need::Commit { batch, .. } => {
                store.commit(batch).map_err(failed)?;
                plan.committed();
            }
            Need::Done => return Ok(plan.finish()),
        }
    }
}

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
    fn range(&self, range: &KeyRange) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        if range.from >= range.to {
            return Ok(Vec::new());
        }
        Ok(self
            .entries
            .range(range.from.clone()..range.to.clone())
            .map(|(k, v)| (k.clone(), v.clone()))
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
    fn range(&self, range: &KeyRange) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.inner.range(range)
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
    fn range(&self, range: &KeyRange) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.inner.range(range)
    }
}

/// A lab whose every operation is durably committed before it counts.
pub struct Session<S: BlockStore> {
    journal: Journal,
    store: S,
    /// Repairs found at open (stale checkpoints, an interrupted
    /// operation's chunks): committed with the first write, so a run that
    /// only reads leaves the store as it found it.
    repairs: Batch,
    warnings: Vec<String>,
    /// Has this session committed an operation?
    wrote: bool,
}

impl<S: BlockStore> Session<S> {
    /// Opens the lab kept in `store` as the app opens its database: the
    /// newest checkpoint and the log from it on are read (the log before it
    /// is not, until [`attach_older`](Self::attach_older)); without a
    /// usable checkpoint, the whole log. Finishes any recovery.
    pub fn open(mut store: S) -> Result<Self> {
        // A store of the app's kind: recovery is finished at open (the
        // `--state` file, which a read-only run must leave as it was, holds
        // its repairs for the first write instead).
        let options = OpenOptions {
            repair_now: true,
            ..OpenOptions::default()
        };
        let outcome = drive(&mut store, OpenPlan::new(options))?;
        Ok(Session {
            journal: outcome.journal,
            store,
            repairs: outcome.repairs,
            warnings: outcome.warnings,
            wrote: false,
        })
    }

    /// A session over `store`, which holds what `outcome` was opened from
    /// (a host that drove the plan itself: the state file).
    pub fn opened(store: S, outcome: super::plan::Outcome) -> Self {
        Session {
            journal: outcome.journal,
            store,
            repairs: outcome.repairs,
            warnings: outcome.warnings,
            wrote: false,
        }
    }

    /// What opening found wrong and passed over.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Repairs found at open, waiting for the first write.
    pub fn repairs(&self) -> &Batch {
        &self.repairs
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
        // A session that wrote nothing stores nothing (its lab is the
        // stored one, checkpoint or not).
        if !self.wrote {
            return Ok(());
        }
        let batch = self.journal.checkpoint_batch();
        if !batch.is_empty() {
            self.store.commit(batch).map_err(failed)?;
            self.journal.checkpoint_stored();
        }
        Ok(())
    }

    /// Executes `command`; it counts only once its batch is committed. If the
    /// commit fails, the lab and the store are as before and the error says so.
    pub fn execute(&mut self, command: Command) -> Result<String> {
        let prepared = self.journal.prepare(command);
        let mut batch = self.repairs.clone();
        batch.merge(prepared.batch.clone());
        self.store.commit(batch).map_err(failed)?;
        self.repairs = Batch::default();
        self.wrote = true;
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
