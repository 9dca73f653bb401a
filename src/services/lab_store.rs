//! The one owner of the lab's IndexedDB database: opening (with recovery),
//! storing what the reducer has in flight, export, and fault injection.
//! Nothing else in the app opens the lab's database.

use std::cell::RefCell;
use std::rc::Rc;

use snaplab_engine::store::{self, Batch, Journal, Need, OpenOptions, OpenPlan};

use crate::state::{starter_commands, Flight, Replacement};
use crate::storage::{Fence, IdbStore, Watch, DB_VERSION, LAB_DB, LAB_ID_KEY};

/// The lab's database, once opened. Cloning shares it.
#[derive(Clone, Default)]
pub struct LabStore {
    store: Rc<RefCell<Option<Rc<IdbStore>>>>,
    /// The id of the lab this tab opened (`meta/lab`): every write checks it.
    lab_id: Rc<RefCell<String>>,
    /// Who hears that opening waits for another tab, or that another tab
    /// took the database away.
    watch: Rc<RefCell<Watch>>,
}

/// A fresh lab id: random, so two tabs' replacements never share one.
fn new_lab_id() -> String {
    let part = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{:08x}{:08x}{:08x}{:08x}", part(), part(), part(), part())
}

/// Was a write refused because another tab changed the lab?
pub fn changed_elsewhere(message: &str) -> bool {
    message.starts_with("LabChangedInAnotherTab")
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
    pub async fn open(&self) -> Result<Journal, String> {
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
    async fn open_once(&self) -> Result<Journal, String> {
        let db = self.db().await?;
        let mut plan = OpenPlan::new(OpenOptions {
            new_lab_id: Some(new_lab_id()),
            starters: starter_commands(),
            repair_now: true,
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
    pub async fn store(&self, flight: &Flight) -> Result<(), String> {
        let db = self.db().await?;
        match flight {
            Flight::Commit {
                batch,
                before_entries,
                ..
            } => {
                let fence = Fence {
                    lab: self.lab_id.borrow().clone(),
                    entries: *before_entries,
                };
                db.commit(batch, Some(&fence))
                    .await
                    .map_err(|e| e.to_string())
            }
            Flight::Replace(replacement) => {
                // A replacement is a new lab: a new id, so a tab still
                // writing to the old one is refused.
                let id = new_lab_id();
                let mut records = replacement.records.clone();
                records.insert(LAB_ID_KEY.into(), id.clone().into_bytes());
                db.replace_all(&records).await.map_err(|e| e.to_string())?;
                *self.lab_id.borrow_mut() = id;
                Ok(())
            }
            Flight::Run(_) => Err("a running script has nothing to store yet".into()),
        }
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
    ) -> Result<std::collections::BTreeMap<String, Vec<u8>>, String> {
        let records = self
            .db()
            .await?
            .load_older(upto)
            .await
            .map_err(|e| e.to_string())?;
        let id = records.get(LAB_ID_KEY).map(|v| String::from_utf8_lossy(v));
        if id.as_deref() != Some(self.lab_id.borrow().as_str()) {
            return Err("LabChangedInAnotherTab: the stored lab was replaced".into());
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
            .commit(
                &Batch {
                    puts: chunks,
                    deletes: vec![],
                    strict: false,
                },
                None,
            )
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
