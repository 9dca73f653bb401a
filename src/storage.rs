//! IndexedDB: where the lab lives in the browser.
//!
//! The engine's [`Journal`](snaplab_engine::store::Journal) decides what to
//! store for each operation (a [`Batch`]); this module only commits batches
//! and reads everything back. One object store, `records`, holds the keys
//! the journal uses (`meta/…`, `log/…`, `chunk/…`); values are `Uint8Array`s,
//! never JSON-encoded bytes.
//!
//! - **One readwrite transaction per operation.** A batch with more than
//!   [`CHUNKS_PER_TRANSACTION`] chunks (a very big upload) first stores its chunks
//!   in transactions of their own, then everything else, the log entry (the
//!   commit record) last: if the tab dies in between, the journal sweeps the
//!   orphan chunks on the next open and the lab is as before the upload.
//! - **Durability:** `relaxed` for ordinary operations (an OS crash may lose
//!   the newest operation whole, never part of one); `strict` when the batch
//!   frees data, and for reset and import.
//! - **Reads:** what the engine's open plan asks for (the checkpoint keys,
//!   then what a lab opens from, or everything), each in one transaction.
//! - **Errors:** a `QuotaExceededError` (or any failure) aborts the
//!   transaction, so the stored lab is as before the operation.
//! - **Other tabs:** every write transaction first checks a [`Fence`]: the
//!   lab is still the one this tab opened (`meta/lab`, a fresh id on every
//!   replacement) and its log ends where this tab's does. IndexedDB runs
//!   readwrite transactions on a store one at a time, so of two tabs that
//!   write at once one commits and the other is refused whole, never
//!   interleaved; the refused tab reopens the lab and follows.
//! - **Upgrades and deletions from elsewhere:** when another tab opens the
//!   database at a newer version (a newer Snaplab) or deletes it, this tab
//!   gets `versionchange`: it closes its connection at once, so the other
//!   is never left waiting, and says so ([`Watch::closed`]). When this tab
//!   is the one waiting (an old tab holds the database open and does not
//!   close), IndexedDB reports `blocked`, and the tab says which tab to close
//!   ([`Watch::blocked`]) rather than hanging at "Loading".

use std::cell::Cell;
use std::collections::BTreeMap;

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use indexed_db_futures::typed_array::{Uint8Array, Uint8ArraySlice};
use snaplab_engine::persist::plan;
use snaplab_engine::store::{Batch, Value};
use wasm_bindgen::JsCast;

/// The object store holding every record.
pub const RECORDS: &str = "records";
/// IndexedDB's own database version (the object stores). The layout of the
/// records has its own version, `meta/schema`, checked by the journal.
pub const DB_VERSION: u32 = 1;
/// The database the app uses.
pub const LAB_DB: &str = "snaplab";
/// Chunks (64 KiB each) committed together before a big batch is split
/// (64 MiB: one transaction for anything a demo uploads at once).
pub const CHUNKS_PER_TRANSACTION: usize = 1024;

/// What the app hears about its database from other tabs.
#[derive(Clone, Default)]
pub struct Watch {
    /// Opening waits for another tab to close the database.
    pub blocked: yew::Callback<()>,
    /// Another tab upgraded (`false`) or deleted (`true`) the database; this
    /// tab's connection is closed.
    pub closed: yew::Callback<bool>,
}

/// An error from IndexedDB, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn err(e: impl std::fmt::Display) -> StorageError {
    let text = e.to_string();
    if text.contains("Quota") {
        StorageError(format!(
            "QuotaExceededError: the browser's storage for this site is full ({text})"
        ))
    } else {
        StorageError(text)
    }
}

fn options(strict: bool) -> TransactionOptions {
    let mut options = TransactionOptions::new();
    options.set_durability(if strict {
        TransactionDurability::Strict
    } else {
        TransactionDurability::Relaxed
    });
    options
}

/// The record naming which lab is stored (a fresh id on every replacement).
pub use snaplab_engine::store::LAB_ID_KEY;

/// What a write expects of the stored lab: which lab it is, and how many
/// log entries it has (the write adds the next ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub lab: String,
    pub entries: usize,
}

/// The message of a write refused by its [`Fence`].
pub const CHANGED_ELSEWHERE: &str = "LabChangedInAnotherTab: the lab was changed in another tab or window since this one opened it; nothing was stored here, and this tab now shows the lab as it is";

/// A lab's database.
pub struct IdbStore {
    db: Database,
    /// Test hook: fail the n-th `put` from now (1-based), as a full disk would.
    fail_on_put: Cell<Option<u64>>,
    puts: Cell<u64>,
    chunks_per_transaction: Cell<usize>,
    /// Test hook: the page "dies" at a commit point (see [`Crash`]).
    crash: Cell<Option<Crash>>,
    transactions: Cell<u64>,
}

/// Where a simulated kill of the page lands, counting write transactions
/// from when it was set: before transaction `n` (1-based) starts, or while
/// it is open with its writes made but not committed (what the browser
/// does to a transaction whose page dies: it never commits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crash {
    Before(u64),
    During(u64),
}

/// What a write after a simulated kill returns.
pub const CRASHED: &str = "the page was killed (simulated)";

impl IdbStore {
    /// Opens (creating if needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        Self::open_watched(name, DB_VERSION, Watch::default()).await
    }

    /// Opens the database at `version`, telling `watch` when the open is
    /// blocked by another tab and when another tab takes the database away.
    pub async fn open_watched(
        name: &str,
        version: u32,
        watch: Watch,
    ) -> Result<Self, StorageError> {
        let blocked = watch.blocked.clone();
        let db = Database::open(name)
            .with_version(version)
            .with_on_blocked(move |_event| {
                blocked.emit(());
                Ok(())
            })
            .with_on_upgrade_needed(|event, db| {
                // Version 1 creates the one object store; a later version
                // adds its step here, keyed on event.old_version().
                if event.old_version() < 1.0 {
                    db.create_object_store(RECORDS).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| {
                let text = e.to_string();
                if text.contains("VersionError") || text.contains("less than the existing version") {
                    StorageError("This lab was saved by a newer Snaplab; open it with that version, or reset the lab.".into())
                } else {
                    err(text)
                }
            })?;
        // Another tab upgrading or deleting the database waits until every
        // connection closes: close this one at once, then say so.
        if let Ok(mut changes) = db.version_changes() {
            let (db, closed) = (db.clone(), watch.closed);
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(event) = changes.recv().await {
                    db.close();
                    closed.emit(event.new_version().is_none());
                }
            });
        }
        Ok(IdbStore {
            db,
            fail_on_put: Cell::new(None),
            puts: Cell::new(0),
            chunks_per_transaction: Cell::new(CHUNKS_PER_TRANSACTION),
            crash: Cell::new(None),
            transactions: Cell::new(0),
        })
    }

    /// Makes the `n`-th put from now fail (tests and the fault-injection demo).
    pub fn fail_on_put(&self, n: Option<u64>) {
        self.puts.set(0);
        self.fail_on_put.set(n);
    }

    /// Simulates the page being killed at a commit point: from then on every
    /// write fails with [`CRASHED`] and nothing more reaches IndexedDB.
    pub fn crash_at(&self, crash: Option<Crash>) {
        self.transactions.set(0);
        self.crash.set(crash);
    }

    /// Counts a write transaction about to start; `Err` once the page is "dead".
    fn next_transaction(&self) -> Result<u64, StorageError> {
        let n = self.transactions.get() + 1;
        self.transactions.set(n);
        match self.crash.get() {
            Some(Crash::Before(at)) | Some(Crash::During(at)) if n > at => {
                Err(StorageError(CRASHED.into()))
            }
            Some(Crash::Before(at)) if n == at => Err(StorageError(CRASHED.into())),
            _ => Ok(n),
        }
    }

    /// How many chunks go in one transaction before a batch is split (tests
    /// lower it to exercise the two-phase path with small uploads).
    pub fn set_chunks_per_transaction(&self, n: usize) {
        self.chunks_per_transaction.set(n.max(1));
    }

    /// Every record, read with one `getAllKeys` and one `getAll`.
    pub async fn load(&self) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
        let tx = self.db.transaction(RECORDS).build().map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        // Every key is text, and all text sorts below U+10FFFF.
        records_in(&store, "", "\u{10FFFF}").await
    }

    /// What a lab opens from, in one read transaction: every record but the
    /// log entries before the newest checkpoint (which it stands in for).
    /// Those are read later by [`load_older`](Self::load_older); without a
    /// checkpoint, the whole log is read. (The open plan asks for the same
    /// in two steps: [`checkpoint_keys`](Self::checkpoint_keys), then
    /// [`load_ranges`](Self::load_ranges).)
    pub async fn load_recent(&self) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
        let newest = snaplab_engine::store::newest_checkpoint(&self.checkpoint_keys().await?);
        self.load_ranges(&plan::recent_ranges(newest)).await
    }

    /// The stored checkpoints' keys (the open plan's first question).
    pub async fn checkpoint_keys(&self) -> Result<Vec<String>, StorageError> {
        let tx = self.db.transaction(RECORDS).build().map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        let range = plan::checkpoint_range();
        keys_in(&store, &range.from, &range.to).await
    }

    /// The records in `ranges`, in one read transaction.
    pub async fn load_ranges(
        &self,
        ranges: &[plan::KeyRange],
    ) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
        let tx = self.db.transaction(RECORDS).build().map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        let mut records = BTreeMap::new();
        for range in ranges {
            records.extend(records_in(&store, &range.from, &range.to).await?);
        }
        Ok(records)
    }

    /// The log entries 1 to `upto`, the blobs' chunks and the lab id, in one
    /// read transaction: the history a lab opened from a checkpoint lacks.
    pub async fn load_older(&self, upto: usize) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
        let tx = self.db.transaction(RECORDS).build().map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        let end = snaplab_engine::store::log_key(upto + 1);
        let mut records = records_in(&store, "log/", &end).await?;
        records.extend(records_in(&store, "chunk/", "chunk0").await?);
        records.extend(records_in(&store, "meta/", "meta0").await?);
        Ok(records)
    }

    /// How many log entries are stored, and the lab id (what another tab
    /// left), without reading any value but the id.
    pub async fn mark(&self) -> Result<(Option<Vec<u8>>, usize), StorageError> {
        let tx = self.db.transaction(RECORDS).build().map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        let entries = keys_in(&store, "log/", "log0").await?.len();
        let id = records_in(&store, LAB_ID_KEY, &format!("{LAB_ID_KEY}\0"))
            .await?
            .into_values()
            .next();
        Ok((id, entries))
    }

    /// Commits `batch` wholly or not at all (see the module notes for big
    /// batches), if the stored lab is still as `fence` expects.
    pub async fn commit(&self, batch: &Batch, fence: Option<&Fence>) -> Result<(), StorageError> {
        let (chunks, rest): (Vec<_>, Vec<_>) = batch
            .puts
            .iter()
            .partition(|(k, _)| k.starts_with("chunk/"));
        let per_transaction = self.chunks_per_transaction.get();
        if chunks.len() > per_transaction {
            // Each transaction checks the fence: chunks written for a lab
            // another tab has moved on from could overwrite its blobs.
            for group in chunks.chunks(per_transaction) {
                self.write(group.iter().copied(), &[], false, fence).await?;
            }
            self.write(rest.into_iter(), &batch.deletes, batch.strict, fence)
                .await
        } else {
            self.write(batch.puts.iter(), &batch.deletes, batch.strict, fence)
                .await
        }
    }

    async fn write<'a>(
        &self,
        puts: impl Iterator<Item = &'a (String, Value)>,
        deletes: &[String],
        strict: bool,
        fence: Option<&Fence>,
    ) -> Result<(), StorageError> {
        let n = self.next_transaction()?;
        let tx = self
            .db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(options(strict))
            .build()
            .map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        if let Some(fence) = fence {
            let lab: Option<Uint8Array> = store
                .get(LAB_ID_KEY)
                .primitive()
                .map_err(err)?
                .await
                .map_err(err)?;
            let lab = lab.map(|v| String::from_utf8_lossy(&Vec::from(v)).to_string());
            let mut ends_where_expected = true;
            for (seq, wanted) in [(fence.entries, true), (fence.entries + 1, false)] {
                if seq == 0 {
                    continue;
                }
                let found: Option<String> = store
                    .get_key(snaplab_engine::store::log_key(seq))
                    .primitive()
                    .map_err(err)?
                    .await
                    .map_err(err)?;
                ends_where_expected &= found.is_some() == wanted;
            }
            if lab.as_deref() != Some(fence.lab.as_str()) || !ends_where_expected {
                let _ = tx.abort().await;
                return Err(StorageError(CHANGED_ELSEWHERE.into()));
            }
        }
        for key in deletes {
            store.delete(key.as_str()).primitive().map_err(err)?;
        }
        for (key, value) in puts {
            self.puts.set(self.puts.get() + 1);
            if Some(self.puts.get()) == self.fail_on_put.get() {
                // Dropping the transaction uncommitted rolls it back.
                let _ = tx.abort().await;
                return Err(StorageError(
                    "QuotaExceededError (injected): the browser's storage for this site is full"
                        .into(),
                ));
            }
            store
                .put(Uint8ArraySlice::new(value))
                .with_key(key.as_str())
                .primitive()
                .map_err(err)?;
        }
        if self.crash.get() == Some(Crash::During(n)) {
            let _ = tx.abort().await;
            return Err(StorageError(CRASHED.into()));
        }
        tx.commit().await.map_err(err)
    }

    /// Replaces every record with `records` in one strict transaction (import).
    pub async fn replace_all(
        &self,
        records: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), StorageError> {
        let n = self.next_transaction()?;
        let tx = self
            .db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(options(true))
            .build()
            .map_err(err)?;
        let store = tx.object_store(RECORDS).map_err(err)?;
        store.clear().map_err(err)?;
        for (key, value) in records {
            store
                .put(Uint8ArraySlice::new(value))
                .with_key(key.as_str())
                .primitive()
                .map_err(err)?;
        }
        if self.crash.get() == Some(Crash::During(n)) {
            let _ = tx.abort().await;
            return Err(StorageError(CRASHED.into()));
        }
        tx.commit().await.map_err(err)
    }

    /// Deletes every record (reset the lab).
    pub async fn wipe(&self) -> Result<(), StorageError> {
        self.replace_all(&BTreeMap::new()).await
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Deletes the database called `name`.
    pub async fn delete(name: &str) -> Result<(), StorageError> {
        Database::delete_by_name(name)
            .map_err(err)?
            .await
            .map_err(err)?;
        Ok(())
    }
}

/// What `navigator.storage.estimate()` says, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub usage: f64,
    pub quota: f64,
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    web_sys::window().map(|w| w.navigator().storage())
}

/// Asks the browser to keep this site's storage under pressure (first use).
pub async fn request_persistence() -> bool {
    let Some(manager) = storage_manager() else {
        return false;
    };
    let Ok(promise) = manager.persist() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Usage and quota for this site.
pub async fn estimate() -> Option<Estimate> {
    let promise = storage_manager()?.estimate().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let get = |name: &str| {
        js_sys::Reflect::get(&value, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    Some(Estimate {
        usage: get("usage")?,
        quota: get("quota")?,
    })
}

/// Offers `bytes` as a file download called `name`.
pub fn download(name: &str, bytes: &[u8]) -> Result<(), StorageError> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| StorageError(format!("{e:?}")))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| StorageError(format!("{e:?}")))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document".into()))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| StorageError(format!("{e:?}")))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The bytes of a file the user picked.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, StorageError> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| StorageError(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// From `lower` (included) to `upper` (excluded).
fn between(lower: &str, upper: &str) -> indexed_db_futures::KeyRange<String> {
    indexed_db_futures::KeyRange::Bound(lower.to_string(), false, upper.to_string(), true)
}

/// The keys from `lower` (included) to `upper` (excluded).
async fn keys_in(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    lower: &str,
    upper: &str,
) -> Result<Vec<String>, StorageError> {
    store
        .get_all_keys::<String>()
        .with_query::<String, _>(between(lower, upper))
        .primitive()
        .map_err(err)?
        .await
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)
}

/// The records from `lower` (included) to `upper` (excluded): keys, then
/// values, in the caller's transaction (so both see the same records).
async fn records_in(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    lower: &str,
    upper: &str,
) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
    let keys = keys_in(store, lower, upper).await?;
    let values: Vec<Uint8Array> = store
        .get_all::<Uint8Array>()
        .with_query::<String, _>(between(lower, upper))
        .primitive()
        .map_err(err)?
        .await
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    if keys.len() != values.len() {
        return Err(StorageError(
            "IndexedDB returned different numbers of keys and values".into(),
        ));
    }
    Ok(keys
        .into_iter()
        .zip(values.into_iter().map(Vec::from))
        .collect())
}
