//! The console's command history, kept across reloads: one record per lab
//! (`recall/<lab id>`, the newest 200 commands as JSON) in a database of
//! its own, so resetting or importing the lab never touches it and a
//! failure here never touches the lab. Every failure is returned, typed;
//! the console only logs it (history is a convenience: it must never stop
//! a command from running).

use std::fmt;

use snaplab_engine::store::Batch;

use crate::state::recall::Recall;
use crate::storage::{IdbStore, StorageError};

/// Where console history is kept.
pub const RECALL_DB: &str = "snaplab-console-history";

/// Why history could not be read or stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecallError {
    /// The database did not open (private browsing, storage blocked).
    Open(StorageError),
    Read(StorageError),
    Write(StorageError),
    /// The stored record is not a list of commands.
    Corrupt(String),
}

impl fmt::Display for RecallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecallError::Open(e) => write!(f, "console history: could not open storage: {e}"),
            RecallError::Read(e) => write!(f, "console history: could not read: {e}"),
            RecallError::Write(e) => write!(f, "console history: could not store: {e}"),
            RecallError::Corrupt(e) => write!(f, "console history: {e}"),
        }
    }
}

fn key(lab: &str) -> String {
    format!("recall/{lab}")
}

/// The commands remembered for `lab`, oldest first (none yet: empty).
pub async fn load(lab: &str) -> Result<Vec<String>, RecallError> {
    let db = IdbStore::open(RECALL_DB).await.map_err(RecallError::Open)?;
    let records = db.load().await;
    db.close();
    match records.map_err(RecallError::Read)?.get(&key(lab)) {
        Some(bytes) => Recall::decode(bytes).map_err(RecallError::Corrupt),
        None => Ok(Vec::new()),
    }
}

/// Stores `recall`'s commands as `lab`'s history.
pub async fn save(lab: &str, recall: &Recall) -> Result<(), RecallError> {
    let db = IdbStore::open(RECALL_DB).await.map_err(RecallError::Open)?;
    let batch = Batch {
        puts: vec![(key(lab), recall.encode().into())],
        deletes: vec![],
        strict: false,
    };
    let stored = db.commit(&batch, None).await;
    db.close();
    stored.map_err(RecallError::Write)
}
