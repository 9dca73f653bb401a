//! The one owner of the lab's IndexedDB database: opening (with recovery),
//! storing what the reducer has in flight, export, and fault injection (a
//! [`FaultPlan`] it holds: the browser twin of the engine's `FaultyStore`).
//! Nothing else in the app opens the lab's database. Its errors are typed
//! ([`StoreError`]): the reducer never reads their text.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use snaplab_engine::store::{self, Batch, Journal, Need, OpenOptions, OpenPlan};

use crate::state::{starter_commands, Replacement, StoreError, Storing};
use crate::storage::{
    Fence, IdbStore, StorageError, Watch, CHANGED_ELSEWHERE, DB_VERSION, LAB_DB, LAB_ID_KEY,
};

/// The lab's database, once opened. Cloning shares it.
#[derive(Clone, Default)]
pub struct LabStore {
    store: Rc<RefCell<Option<Rc<IdbStore>>>>,
    /// The id of the lab this tab opened (`meta/lab`): every write checks it.
    lab_id: Rc<RefCell<String>>,
    /// Who hears that opening waits for another tab, or that another tab
    /// took the database away.
    watch: Rc<RefCell<Watch>>,
    /// Faults armed for the next stores (the Faults panel's demos).
    faults: Rc<Cell<FaultPlan>>,
}

/// A fault the Faults panel arms for the next store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The next put of a commit fails as a full quota would: nothing is stored.
    Quota,
    /// The tab "closes" in the middle of the next store: a commit's data
    /// chunks are stored but not its log entry, and the page reloads (and
    /// recovers to the lab before it).
    CloseTab,
}

/// The faults armed and not yet spent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultPlan {
    pub quota: bool,
    pub close_tab: bool,
}

impl FaultPlan {
    pub fn arm(&mut self, fault: Fault) {
        match fault {
            Fault::Quota => self.quota = true,
            Fault::CloseTab => self.close_tab = true,
        }
    }

    /// Spends what applies to the next store (a commit, or a whole lab:
    /// a replacement has no put to fail, so the quota waits for a commit).
    pub fn spend(&mut self, commit: bool) -> FaultPlan {
        let spent = FaultPlan {
            close_tab: self.close_tab,
            quota: self.quota && commit && !self.close_tab,
        };
        self.close_tab = false;
        self.quota &= !spent.quota;
        spent
    }
}

/// How a store ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored in one transaction.
    Committed,
    /// A [`Fault::CloseTab`] struck: the page is reloading.
    TabClosing,
}

/// `storage.rs` reports IndexedDB's errors as text; this is the one place
/// that reads it, so the reducer gets a kind it can match.
impl From<String> for StoreError {
    fn from(text: String) -> Self {
        if text == CHANGED_ELSEWHERE || text.starts_with("LabChangedInAnotherTab") {
            StoreError::ChangedElsewhere(text)
        } else if text.starts_with("QuotaExceededError") {
            StoreError::Quota(text)
        } else {
            StoreError::Failed(text)
        }
    }
}

impl From<StorageError> for StoreError {
    fn from(e: StorageError) -> Self {
        StoreError::from(e.0)
    }
}

/// A fresh lab id: random, so two tabs' replacements never share one.
fn new_lab_id() -> String {
    let part = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{:08x}{:08x}{:08x}{:08x}", part(), part(), part(), part())
}

/// Was a write refused because another tab changed the lab?
pub fn changed_elsewhere(error: &StoreError) -> bool {
    matches!(error, StoreError::ChangedElsewhere(_))
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
    async fn db(&self) -> Result<Rc<IdbStore>, StoreError> {
        if let Some(db) = self.get() {
            return Ok(db);
        }
        let heard = self.watch.borrow().clone();
        let slot = self.store.clone();
        let watch = Watch {
            blocked: heard.blocked,
            // The connection is closed: the next use opens a new one.
            closed: yew::Callback::from(move |deleted| {
                slot.borrow_mut().take();
                heard.closed.emit(deleted);
            }),
        };
        let db = Rc::new(
            IdbStore::open_watched(LAB_DB, DB_VERSION, watch)
                .await
                .map_err(|e| e.to_string())?,
        );
        *self.store.borrow_mut() = Some(db.clone());
        Ok(db)
    }

    /// Opens the lab's database and replays it, finishing any recovery; a new
    /// (or just reset) lab gets its starter group and disk. Another tab
    /// creating the same new lab at the same moment is waited for: the
    /// fence refuses the second writer, which then opens what the first made.
    pub async fn open(&self) -> Result<Journal, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.open_once().await {
                Err(e) if changed_elsewhere(&e) && attempt < 3 => continue,
                other => return other,
            }
        }
    }

    /// Drives the engine's open plan (the same one the native session and
    /// the `--state` file drive) with IndexedDB as its host.
    async fn open_once(&self) -> Result<Journal, StoreError> {
        let db = self.db().await?;
        let mut plan = OpenPlan::new(OpenOptions {
            new_lab_id: Some(new_lab_id()),
            starters: starter_commands(),
            repair_now: true,
            // IndexedDB is the app's own storage: no seal ([`snaplab_engine::persist::seal`]).
            seal: None,
        });
        let final_error = |e: snaplab_engine::EngineError| format!("({}) {e}", e.code());
        loop {
            match plan.need() {
                Need::CheckpointKeys => {
                    let keys = db.checkpoint_keys().await.map_err(|e| e.to_string())?;
                    plan.checkpoint_keys(&keys);
                }
                Need::Recent(ranges) => {
                    let records = db.load_ranges(&ranges).await.map_err(|e| e.to_string())?;
                    plan.records(records).map_err(final_error)?;
                }
                Need::Everything => {
                    let records = db.load().await.map_err(|e| e.to_string())?;
                    plan.records(records).map_err(final_error)?;
                }
                Need::Commit { batch, fence } => {
                    let fence = fence.map(|(lab, entries)| Fence { lab, entries });
                    db.commit(&batch, fence.as_ref())
                        .await
                        .map_err(|e| e.to_string())?;
                    plan.committed();
                }
                Need::Done => break,
            }
        }
        let outcome = plan.finish();
        *self.lab_id.borrow_mut() = outcome.lab_id.unwrap_or_default();
        Ok(outcome.journal)
    }

    /// Stores what the reducer has in flight: one transaction either way,
    /// refused whole if another tab has changed the lab meanwhile.
    pub async fn store(&self, storing: &Storing) -> Result<Stored, StoreError> {
        match storing {
            Storing::Commit {
                batch,
                before_entries,
                ..
            } => self.commit(batch, *before_entries).await,
            Storing::Replace(replacement) => {
                if self.spend_faults(false).close_tab {
                    return Ok(close_tab());
                }
                // A replacement is a new lab: a new id, so a tab still
                // writing to the old one is refused.
                let id = new_lab_id();
                let mut records = replacement.records.clone();
                records.insert(LAB_ID_KEY.into(), id.clone().into_bytes());
                self.db().await?.replace_all(&records).await?;
                *self.lab_id.borrow_mut() = id;
                Ok(Stored::Committed)
            }
        }
    }

    /// Stores `batch` on a lab that had `before_entries` log entries (the
    /// fence), under the fault plan.
    pub async fn commit(&self, batch: &Batch, before_entries: usize) -> Result<Stored, StoreError> {
        let db = self.db().await?;
        let faults = self.spend_faults(true);
        if faults.close_tab {
            store_only_chunks(&db, batch).await;
            return Ok(close_tab());
        }
        if faults.quota {
            db.fail_on_put(Some(1));
        }
        let fence = Fence {
            lab: self.lab_id.borrow().clone(),
            entries: before_entries,
        };
        db.commit(batch, Some(&fence)).await?;
        Ok(Stored::Committed)
    }

    fn spend_faults(&self, commit: bool) -> FaultPlan {
        let mut plan = self.faults.get();
        let spent = plan.spend(commit);
        self.faults.set(plan);
        spent
    }

    /// Arms `fault` for the next store.
    pub fn arm(&self, fault: Fault) {
        let mut plan = self.faults.get();
        plan.arm(fault);
        self.faults.set(plan);
    }

    /// The lab id and log length as stored now (what another tab left).
    pub async fn stored_mark(&self) -> Option<(String, usize)> {
        let (id, entries) = self.db().await.ok()?.mark().await.ok()?;
        Some((String::from_utf8_lossy(&id?).to_string(), entries))
    }

    /// The log entries 1 to `upto` (and the chunks they name) of the lab
    /// this tab opened: the history a lab opened from a checkpoint lacks.
    /// Refused if the stored lab is another one now.
    pub async fn load_older(
        &self,
        upto: usize,
    ) -> Result<std::collections::BTreeMap<String, Vec<u8>>, StoreError> {
        let records = self.db().await?.load_older(upto).await?;
        let id = records.get(LAB_ID_KEY).map(|v| String::from_utf8_lossy(v));
        if id.as_deref() != Some(self.lab_id.borrow().as_str()) {
            return Err(StoreError::ChangedElsewhere(
                "LabChangedInAnotherTab: the stored lab was replaced".into(),
            ));
        }
        Ok(records)
    }

    /// Tells `watch` when opening waits for another tab and when another
    /// tab upgrades or deletes the database (set before the first open).
    pub fn set_watch(&self, watch: Watch) {
        *self.watch.borrow_mut() = watch;
    }

    /// This tab's lab id.
    pub fn lab_id(&self) -> String {
        self.lab_id.borrow().clone()
    }

    /// The whole stored lab as a `.snaplab` file, and its record count.
    pub async fn export(&self) -> Result<(Vec<u8>, usize), StoreError> {
        let records = self.db().await?.load().await?;
        Ok((store::export(&records), records.len()))
    }
}

/// The tab "closes" (a fault): the reload recovers the stored lab.
fn close_tab() -> Stored {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
    Stored::TabClosing
}

/// What a closing tab leaves of a commit: its data chunks, not its log entry.
async fn store_only_chunks(db: &IdbStore, batch: &Batch) {
    let chunks = batch
        .puts
        .iter()
        .filter(|(k, _)| k.starts_with("chunk/"))
        .cloned()
        .collect();
    let batch = Batch {
        puts: chunks,
        deletes: vec![],
        strict: false,
    };
    let _ = db.commit(&batch, None).await;
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
    let mut journal = Journal::open(&records)?.journal;
    // Opened from the checkpoint the import made; the whole log is at hand.
    journal.attach_older(&records)?;
    Ok(Replacement {
        records,
        journal,
        notice,
        locks: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_fault_waits_for_a_commit_and_is_spent_once() {
        let mut plan = FaultPlan::default();
        plan.arm(Fault::Quota);
        assert_eq!(
            plan.spend(false),
            FaultPlan::default(),
            "a replacement has no put"
        );
        let spent = plan.spend(true);
        assert!(spent.quota && !spent.close_tab);
        assert_eq!(plan, FaultPlan::default(), "spent");
        assert_eq!(plan.spend(true), FaultPlan::default());
    }

    #[test]
    fn a_closing_tab_strikes_the_next_store_of_any_kind_and_keeps_the_quota_armed() {
        let mut plan = FaultPlan::default();
        plan.arm(Fault::Quota);
        plan.arm(Fault::CloseTab);
        let spent = plan.spend(false);
        assert!(spent.close_tab && !spent.quota);
        assert!(plan.quota && !plan.close_tab);
        assert!(plan.spend(true).quota);
    }

    #[test]
    fn storage_errors_become_kinds_the_reducer_matches() {
        assert!(changed_elsewhere(&StoreError::from(
            CHANGED_ELSEWHERE.to_string()
        )));
        assert_eq!(
            StoreError::from(StorageError("QuotaExceededError: full".into())),
            StoreError::Quota("QuotaExceededError: full".into())
        );
        let failed = StoreError::from("UnknownError: disk".to_string());
        assert_eq!(failed, StoreError::Failed("UnknownError: disk".into()));
        assert_eq!(
            failed.to_string(),
            "UnknownError: disk",
            "its text is kept whole"
        );
    }
}
