//! The lab's effects: open it once, follow another tab's change, read the
//! log before the checkpoint when something wants it, and carry the work in
//! flight. All I/O goes through the storage service ([`LabStore`]).

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::i18n::{tr, Lang};
use crate::services::lab_store::LabStore;
use crate::services::share::open_share_link;
use crate::services::tabs::Tabs;
use crate::services::work::{refresh_storage, Carrier};
use crate::state::{Action, AppState, Phase};
use crate::storage;

/// Runs the lab's effects for `state`; returns the storage service (for
/// export and the fault plan).
#[hook]
pub fn use_lab(state: &AppState, dispatch: &Callback<Action>, lang: Lang) -> LabStore {
    let store = (*use_state(LabStore::default)).clone();
    use_open(&store, dispatch, lang);
    // Other tabs on the same lab: hear their changes, announce ours.
    let tabs = use_memo((), {
        let dispatch = dispatch.clone();
        move |_| Tabs::listen(dispatch)
    });
    {
        // Follow another tab's change once nothing is in flight here.
        let (store, dispatch) = (store.clone(), dispatch.clone());
        let follow = state.elsewhere.stale && !state.busy() && state.phase == Phase::Ready;
        use_effect_with(follow, move |follow| {
            if *follow {
                spawn_local(async move {
                    match store.open().await {
                        Ok(journal) => dispatch.emit(Action::Followed(journal)),
                        Err(e) => dispatch.emit(Action::LoadFailed(e.to_string())),
                    }
                });
            }
        });
    }
    {
        // A lab opened from its checkpoint shows at once; the log before the
        // checkpoint is read when something needs it (the History tab, undo).
        let (store, dispatch) = (store.clone(), dispatch.clone());
        let wanted = state
            .wants_older()
            .map(|base| (state.history.lineage, base));
        use_effect_with(wanted, move |wanted| {
            if let Some((_, base)) = *wanted {
                spawn_local(async move {
                    let read = store.load_older(base).await.map(Rc::new);
                    dispatch.emit(Action::OlderHistory(read));
                });
            }
        });
    }
    {
        // Carry whatever work is in flight; the reducer waits for the answer.
        let carrier = Carrier {
            store: store.clone(),
            tabs: tabs.clone(),
            dispatch: dispatch.clone(),
            persisted: state.storage.persisted,
        };
        let flight = state.work.in_flight.clone();
        use_effect_with(flight.as_ref().map(|f| f.n), move |_| {
            if let Some(flight) = flight {
                spawn_local(carrier.carry(flight.n, flight.flight));
            }
        });
    }
    store
}

/// Opens the lab once (then a share link in the address, if any).
#[hook]
fn use_open(store: &LabStore, dispatch: &Callback<Action>, lang: Lang) {
    let (store, dispatch) = (store.clone(), dispatch.clone());
    use_effect_with((), move |_| {
        // Other tabs may hold the database (opening waits: say which)
        // or take it away (an upgrade or a deletion: this tab closes
        // its connection for them, and says so).
        store.set_watch(storage::Watch {
            blocked: {
                let dispatch = dispatch.clone();
                Callback::from(move |()| dispatch.emit(Action::OpenBlocked))
            },
            closed: {
                let dispatch = dispatch.clone();
                Callback::from(move |deleted: bool| {
                    let key = if deleted {
                        "app.deletedElsewhere"
                    } else {
                        "app.upgradedElsewhere"
                    };
                    dispatch.emit(Action::LetGo(tr(lang, key).into()))
                })
            },
        });
        spawn_local(async move {
            let persisted = storage::request_persistence().await;
            match store.open().await {
                Ok(journal) => {
                    dispatch.emit(Action::Loaded(journal));
                    open_share_link(lang, &dispatch);
                }
                Err(e) => dispatch.emit(Action::LoadFailed(e.to_string())),
            }
            refresh_storage(dispatch, Some(persisted));
        });
    });
}
