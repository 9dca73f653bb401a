//! Storage behind a small trait, as redb keeps its I/O behind `StorageBackend`.
//!
//! What is stored is the operation log: one entry per user-level operation,
//! each committed in one atomic batch. The lab is rebuilt by replaying it
//! (`state = replay(log)`), so a crash between two operations loses nothing
//! committed and never shows half an operation. [`MemoryStore`] is the
//! in-memory backend; the app's IndexedDB backend implements the same trait;
//! [`FaultyStore`] fails on demand to prove that a failed commit leaves both
//! the store and the lab as they were.

use std::collections::BTreeMap;

use crate::command::Command;
use crate::error::{EngineError, Result};
use crate::lab::Lab;

/// Puts and deletes applied together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub puts: Vec<(String, Vec<u8>)>,
    pub deletes: Vec<String>,
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

#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    entries: BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
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
        self.entries.extend(batch.puts);
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.entries.get(key).cloned())
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.entries.range(prefix.to_string()..).map(|(k, _)| k).take_while(|k| k.starts_with(prefix)).cloned().collect())
    }
}

/// Wraps a store and fails its `fail_at`-th commit (1-based), like a quota
/// running out at the worst moment.
#[derive(Debug, Clone)]
pub struct FaultyStore<S> {
    pub inner: S,
    pub fail_at: Option<u64>,
    commits: u64,
}

impl<S> FaultyStore<S> {
    pub fn new(inner: S, fail_at: Option<u64>) -> Self {
        FaultyStore { inner, fail_at, commits: 0 }
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

/// The key of the `n`-th (1-based) log entry: zero-padded so keys sort in order.
pub fn log_key(n: usize) -> String {
    format!("log/{n:012}")
}

/// A lab whose every operation is durably committed before it counts.
pub struct Session<S: BlockStore> {
    lab: Lab,
    store: S,
}

impl<S: BlockStore> Session<S> {
    /// Opens the lab kept in `store`, replaying its operation log.
    pub fn open(store: S) -> Result<Self> {
        let failed = |e: StoreError| EngineError::StorageFailed { detail: e.0 };
        let mut commands = Vec::new();
        for key in store.keys("log/").map_err(failed)? {
            let bytes = store.get(&key).map_err(failed)?.unwrap_or_default();
            let command: Command = serde_json::from_slice(&bytes)
                .map_err(|e| EngineError::StorageCorrupt { detail: format!("log entry {key} is unreadable: {e}") })?;
            commands.push(command);
        }
        Ok(Session { lab: Lab::replay(&commands), store })
    }

    pub fn lab(&self) -> &Lab {
        &self.lab
    }
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Executes `command`; it counts only once its log entry is committed.
    /// If the commit fails, the lab is as before and the error says so.
    pub fn execute(&mut self, command: Command) -> Result<String> {
        let mut next = self.lab.clone();
        let result = next.execute(command.clone());
        let entry = serde_json::to_vec(&command).expect("commands serialise");
        let batch = Batch { puts: vec![(log_key(next.log().len()), entry)], deletes: vec![] };
        self.store.commit(batch).map_err(|e| EngineError::StorageFailed { detail: e.0 })?;
        self.lab = next;
        result
    }
}
