//! Browser storage: usage and persistence, export, import and reset.

use std::rc::Rc;

use snaplab_engine::store::{self, Journal};
use snaplab_engine::units::human_bytes;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::app::{load_lab, Store};
use crate::i18n::use_t;
use crate::state::{Action, Refusal, StorageFacts};
use crate::storage::{self as browser, IdbStore, LAB_DB};

#[derive(Properties)]
pub struct StoragePanelProps {
    pub facts: StorageFacts,
    pub log_len: usize,
    pub store: Rc<std::cell::RefCell<Option<Store>>>,
    pub dispatch: Callback<Action>,
}

impl PartialEq for StoragePanelProps {
    fn eq(&self, other: &Self) -> bool {
        self.facts == other.facts
            && self.log_len == other.log_len
            && Rc::ptr_eq(&self.store, &other.store)
            && self.dispatch == other.dispatch
    }
}

/// Browser storage: usage, persistence, export, import and reset.
#[function_component(StoragePanel)]
pub fn storage_panel(props: &StoragePanelProps) -> Html {
    let t = use_t();
    let facts = props.facts;
    let store = props.store.clone();
    let dispatch = props.dispatch.clone();

    let export = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        Callback::from(move |_| {
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            let Some(store) = store else { return };
            spawn_local(async move {
                let result = match store.load().await {
                    Ok(records) => {
                        let file = store::export(&records);
                        browser::download("snaplab-lab.snaplab", &file)
                            .map(|_| {
                                format!(
                                    "Exported the lab: {} in {} records",
                                    human_bytes(file.len() as u64),
                                    records.len()
                                )
                            })
                            .map_err(|e| Refusal {
                                code: "ExportFailed".into(),
                                message: e.to_string(),
                                rule: None,
                            })
                    }
                    Err(e) => Err(Refusal {
                        code: "ExportFailed".into(),
                        message: e.to_string(),
                        rule: None,
                    }),
                };
                dispatch.emit(Action::Notice(result));
            });
        })
    };

    let import = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            let Some(store) = store else { return };
            spawn_local(async move {
                let refused = |code: &str, message: String| {
                    Action::Notice(Err(Refusal {
                        code: code.into(),
                        message,
                        rule: None,
                    }))
                };
                let bytes = match browser::read_file(&file).await {
                    Ok(bytes) => bytes,
                    Err(e) => return dispatch.emit(refused("ImportFailed", e.to_string())),
                };
                // Checked whole (format, checksum, replay) before anything is changed.
                let records = match store::import(&bytes) {
                    Ok(records) => records,
                    Err(e) => {
                        return dispatch
                            .emit(refused(e.code(), format!("{e} Your lab was not changed.")))
                    }
                };
                let journal = match Journal::open(&records) {
                    Ok(opened) => opened.journal,
                    Err(e) => return dispatch.emit(refused(e.code(), e.to_string())),
                };
                if let Err(e) = store.replace_all(&records).await {
                    return dispatch.emit(refused(
                        "QuotaExceeded",
                        format!("{e}. Your lab was not changed."),
                    ));
                }
                dispatch.emit(Action::Loaded(journal));
                dispatch.emit(Action::Notice(Ok(format!(
                    "Imported {} ({} records)",
                    file.name(),
                    records.len()
                ))));
            });
        })
    };

    let reset = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        let question = t("storage.resetConfirm");
        Callback::from(move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            spawn_local(async move {
                let result = async {
                    let store = match store {
                        Some(store) => store,
                        None => Rc::new(IdbStore::open(LAB_DB).await.map_err(|e| e.to_string())?),
                    };
                    store.wipe().await.map_err(|e| e.to_string())?;
                    let journal = load_lab(&store).await?;
                    Ok::<_, String>(journal)
                }
                .await;
                match result {
                    Ok(journal) => {
                        dispatch.emit(Action::Loaded(journal));
                        dispatch.emit(Action::Notice(Ok("The lab was reset".into())));
                    }
                    Err(message) => dispatch.emit(Action::Notice(Err(Refusal {
                        code: "ResetFailed".into(),
                        message,
                        rule: None,
                    }))),
                }
            });
        })
    };

    let usage = match (facts.usage, facts.quota) {
        (Some(u), Some(q)) => format!(
            "{} of {} ({:.2}%)",
            human_bytes(u as u64),
            human_bytes(q as u64),
            if q > 0.0 { u / q * 100.0 } else { 0.0 }
        ),
        _ => t("storage.unknown").into(),
    };
    html! {
        <section class="card storage" aria-labelledby="storage-title">
            <h2 id="storage-title">{ t("storage.title") }</h2>
            <dl class="facts">
                <dt>{ t("storage.usage") }</dt><dd id="storage-usage">{ usage }</dd>
                <dt>{ t("storage.persistent") }</dt>
                <dd id="storage-persisted">{ match facts.persisted { Some(true) => t("storage.yes"), Some(false) => t("storage.no"), None => t("storage.unknown") } }</dd>
                <dt>{ t("storage.log") }</dt><dd id="storage-log">{ props.log_len }</dd>
            </dl>
            <div class="actions">
                <button type="button" onclick={export}>{ t("storage.export") }</button>
                <label class="file-button">{ t("storage.import") }<input id="import-lab" type="file" accept=".snaplab" onchange={import} /></label>
                <button type="button" class="danger" onclick={reset}>{ t("storage.reset") }</button>
            </div>
        </section>
    }
}
