//! The one owner of the lab's IndexedDB database: opening (with recovery),
//! storing what the reducer has in flight, export, and fault injection.
//! Nothing else in the app opens the lab's database.

use std::cell::RefCell;
use std::rc::Rc;

use snaplab_engine::store::{self, Batch, Journal};

use crate::state::{starter_commands, Flight, Replacement};
use crate::storage::{IdbStore, LAB_DB};

/// The lab's database, once opened. Cloning shares it.
#[derive(Clone, Default)]
pub struct LabStore {
    store: Rc<RefCell<Option<Rc<IdbStore>>>>,
}

impl PartialEq for LabStore {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.store, &other.store)
    }
}

impl LabStore {
    fn get(&self) -> Option<Rc<IdbStore>> {
        self.store.borrow().clone()
    }

    /// The open database, opening it if start-up could not (so a lab that
    /// failed to open can still be replaced by a reset or an import).
    async fn db(&self) -> Result<Rc<IdbStore>, String> {
        if let Some(db) = self.get() {
            return Ok(db);
        }
        let db = Rc::new(IdbStore::open(LAB_DB).await.map_err(|e| e.to_string())?);
        *self.store.borrow_mut() = Some(db.clone());
        Ok(db)
    }

    /// Opens the lab's database and replays it, finishing any recovery; a new
    /// (or just reset) lab gets its starter group and disk.
    pub async fn open(&self) -> Result<Journal, String> {
        let db = self.db().await?;
        let records = db.load().await.map_err(|e| e.to_string())?;
        let opened = Journal::open(&records).map_err(|e| format!("({}) {e}", e.code()))?;
        if !opened.recovery.puts.is_empty() || !opened.recovery.deletes.is_empty() {
            db.commit(&opened.recovery)
                .await
                .map_err(|e| e.to_string())?;
        }
        let mut journal = opened.journal;
        if journal.lab().log().len() == 0 {
            for command in starter_commands() {
                let prepared = journal.prepare(command);
                db.commit(&prepared.batch)
                    .await
                    .map_err(|e| e.to_string())?;
                journal.accept(&prepared).map_err(|e| e.to_string())?;
            }
        }
        Ok(journal)
    }

    /// Stores what the reducer has in flight: one transaction either way.
    pub async fn store(&self, flight: &Flight) -> Result<(), String> {
        let db = self.db().await?;
        match flight {
            Flight::Commit { batch, .. } => db.commit(batch).await.map_err(|e| e.to_string()),
            Flight::Replace(replacement) => db
                .replace_all(&replacement.records)
                .await
                .map_err(|e| e.to_string()),
            Flight::Run(_) => Err("a running script has nothing to store yet".into()),
        }
    }

    /// Fault injection ("the tab closes mid-operation"): stores only the data
    /// chunks of a commit, not its log entry, as a closing tab would.
    pub async fn store_only_chunks(&self, flight: &Flight) {
        let (Ok(db), Flight::Commit { batch, .. }) = (self.db().await, flight) else {
            return;
        };
        let chunks = batch
            .puts
            .iter()
            .filter(|(k, _)| k.starts_with("chunk/"))
            .cloned()
            .collect();
        let _ = db
            .commit(&Batch {
                puts: chunks,
                deletes: vec![],
                strict: false,
            })
            .await;
    }

    /// Fault injection: the next put fails as a full quota would.
    pub fn fail_next_put(&self) {
        if let Some(db) = self.get() {
            db.fail_on_put(Some(1));
        }
    }

    /// The whole stored lab as a `.snaplab` file, and its record count.
    pub async fn export(&self) -> Result<(Vec<u8>, usize), String> {
        let records = self.db().await?.load().await.map_err(|e| e.to_string())?;
        Ok((store::export(&records), records.len()))
    }
}

/// A new lab (the starter group and disk), to replace the stored one.
pub fn fresh_lab(notice: String) -> Result<Replacement, String> {
    let (records, journal) = store::records_for(starter_commands()).map_err(|e| e.to_string())?;
    Ok(Replacement {
        records,
        journal,
        notice,
        locks: Some(snaplab_console::Locks::none()),
    })
}

/// A lab from an exported file, checked whole (format, checksum, replay)
/// before anything is stored.
pub fn imported_lab(bytes: &[u8], notice: String) -> snaplab_engine::Result<Replacement> {
    let records = store::import(bytes)?;
    let journal = Journal::open(&records)?.journal;
    Ok(Replacement {
        records,
        journal,
        notice,
        locks: None,
    })
}
