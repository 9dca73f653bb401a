//! Carries the work in flight to its end: a console script is run
//! (`script.rs`) and what it did stored; a batch or a whole new lab is
//! stored. Either way the reducer hears once how it ended, and the other
//! tabs hear of a change.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::Callback;

use super::lab_store::{LabStore, Stored};
use super::script;
use super::tabs::Tabs;
use crate::state::{Action, Flight, StorageFacts};
use crate::storage;

/// What carrying work needs of the page.
#[derive(Clone)]
pub struct Carrier {
    pub store: LabStore,
    pub tabs: Rc<Option<Tabs>>,
    pub dispatch: Callback<Action>,
    /// Whether the browser keeps the site's storage (for the storage panel).
    pub persisted: Option<bool>,
}

impl Carrier {
    /// Runs and stores flight `n`, then reports it.
    pub async fn carry(self, n: u64, flight: Flight) {
        match flight {
            Flight::Running(running) => {
                let mut ran = script::run_in_page(n, &running, self.dispatch.clone()).await;
                if ran.staged.count > 0 {
                    self.dispatch.emit(Action::Saving(n));
                    let before = running.journal.entries();
                    match self.store.commit(&ran.staged.batch, before).await {
                        Ok(Stored::TabClosing) => return,
                        Ok(Stored::Committed) => self.announce(),
                        Err(e) => ran.stored = Err(e),
                    }
                    refresh_storage(self.dispatch.clone(), self.persisted);
                }
                self.dispatch.emit(Action::Ran(n, ran));
            }
            Flight::Storing(storing) => {
                match self.store.store(&storing).await {
                    Ok(Stored::TabClosing) => return,
                    Ok(Stored::Committed) => {
                        self.dispatch.emit(Action::Committed(n));
                        self.announce();
                    }
                    Err(e) => self.dispatch.emit(Action::CommitFailed(n, e)),
                }
                refresh_storage(self.dispatch, self.persisted);
            }
        }
    }

    fn announce(&self) {
        if let Some(tabs) = self.tabs.as_ref() {
            tabs.announce();
        }
    }
}

/// Reads the storage manager's figures into the state.
pub fn refresh_storage(dispatch: Callback<Action>, persisted: Option<bool>) {
    spawn_local(async move {
        let estimate = storage::estimate().await;
        dispatch.emit(Action::Storage(StorageFacts {
            usage: estimate.map(|e| e.usage),
            quota: estimate.map(|e| e.quota),
            persisted,
        }));
    });
}
