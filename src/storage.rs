//! IndexedDB, where the browser keeps page data.
//!
//! Page data is stored as binary `Uint8Array` values (never JSON), keyed by a
//! chunk id. This is the first slice of the engine's block store in the
//! browser; transactions use `durability: "relaxed"` because a lost page write
//! after an OS crash is re-done from the operation log, which is written strict.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use indexed_db_futures::typed_array::{Uint8Array, Uint8ArraySlice};

/// The object store that holds page chunks.
pub const CHUNKS: &str = "chunks";
/// The schema version; bump it (with a migration) when the layout changes.
pub const SCHEMA_VERSION: u32 = 1;

/// An error from IndexedDB, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Browser storage (IndexedDB) failed: {}", self.0)
    }
}

fn err(e: impl std::fmt::Display) -> StorageError {
    StorageError(e.to_string())
}

fn relaxed() -> TransactionOptions {
    let mut options = TransactionOptions::new();
    options.set_durability(TransactionDurability::Relaxed);
    options
}

/// A handle on one lab's database.
pub struct ChunkStore {
    db: Database,
}

impl ChunkStore {
    /// Opens (creating or upgrading if needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        let db = Database::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(CHUNKS).build()?;
                }
                Ok(())
            })
            .await
            .map_err(err)?;
        Ok(ChunkStore { db })
    }

    /// Stores `bytes` under `key`, replacing what was there, in one transaction.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(CHUNKS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(relaxed())
            .build()
            .map_err(err)?;
        let store = tx.object_store(CHUNKS).map_err(err)?;
        store.put(Uint8ArraySlice::new(bytes)).with_key(key).primitive().map_err(err)?;
        // Transactions in indexed_db_futures roll back unless committed.
        tx.commit().await.map_err(err)?;
        Ok(())
    }

    /// The bytes stored under `key`, if any.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self.db.transaction(CHUNKS).build().map_err(err)?;
        let store = tx.object_store(CHUNKS).map_err(err)?;
        let value: Option<Uint8Array> = store.get(key).primitive().map_err(err)?.await.map_err(err)?;
        Ok(value.map(Vec::from))
    }

    /// Closes the connection (so the database can be deleted or reopened).
    pub fn close(self) {
        self.db.close();
    }

    /// Deletes the database called `name`.
    pub async fn delete(name: &str) -> Result<(), StorageError> {
        Database::delete_by_name(name).map_err(err)?.await.map_err(err)?;
        Ok(())
    }
}
