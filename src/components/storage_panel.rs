//! Browser storage: usage and persistence, export, import and reset.

use std::rc::Rc;

use snaplab_engine::units::human_bytes;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::i18n::use_t;
use crate::services::lab_store::{fresh_lab, imported_lab};
use crate::state::{Action, Refusal, StorageFacts, Work};
use crate::storage as browser;

#[derive(Properties, PartialEq)]
pub struct StoragePanelProps {
    pub facts: StorageFacts,
    pub log_len: usize,
    /// Exports the stored lab (the storage service does the reading).
    pub export: Callback<()>,
    pub dispatch: Callback<Action>,
}

/// Browser storage: usage, persistence, export, import and reset.
#[function_component(StoragePanel)]
pub fn storage_panel(props: &StoragePanelProps) -> Html {
    let t = use_t();
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let facts = props.facts;
    let dispatch = props.dispatch.clone();

    let export = {
        let export = props.export.clone();
        Callback::from(move |_| export.emit(()))
    };

    let import = {
        let dispatch = dispatch.clone();
        let (t_imported, t_unchanged) = (t("storage.imported"), t("storage.notChanged"));
        let t_replace = t("storage.importConfirm");
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
            let dispatch = dispatch.clone();
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
                // Checked whole (format, checksum, replay) before anything is
                // changed; then queued, so it replaces the lab after any commit
                // in flight.
                let notice = format!("{} {}", t_imported, file.name());
                match imported_lab(&bytes, notice) {
                    Ok(replacement) => {
                        // Checked and good: now ask, since it replaces the lab.
                        let question = t_replace.replace("{file}", &file.name());
                        let yes = web_sys::window()
                            .and_then(|w| w.confirm_with_message(&question).ok())
                            .unwrap_or(false);
                        if yes {
                            dispatch.emit(Action::Queue(Work::Replace(Rc::new(replacement))))
                        } else {
                            dispatch.emit(Action::Notice(Ok(t_unchanged.to_string())))
                        }
                    }
                    Err(e) => dispatch.emit(refused(e.code(), format!("{e} {t_unchanged}"))),
                }
            });
        })
    };

    let reset = {
        let dispatch = dispatch.clone();
        let question = t("storage.resetConfirm");
        Callback::from(move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            match fresh_lab("The lab was reset".into()) {
                Ok(replacement) => {
                    dispatch.emit(Action::Queue(Work::Replace(Rc::new(replacement))))
                }
                Err(message) => dispatch.emit(Action::Notice(Err(Refusal {
                    code: "ResetFailed".into(),
                    message,
                    rule: None,
                }))),
            }
        })
    };

    let usage = match (facts.usage, facts.quota) {
        (Some(u), Some(q)) => format!(
            "{} {} {} ({} %)",
            human_bytes(u as u64),
            t("storage.of"),
            human_bytes(q as u64),
            crate::i18n::number(lang, if q > 0.0 { u / q * 100.0 } else { 0.0 }, 2)
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
