//! Share links (`#lab=…` in the address): opened after asking, their
//! operation log replacing the stored lab (queued like any other
//! replacement). A damaged or tampered link is refused; a declined one is
//! kept, and a banner offers it.

use std::rc::Rc;

use yew::Callback;

use crate::i18n::{tr, Lang};
use crate::state::{Action, Refusal, Replacement, Work};

/// Opens the share link in the page's address, if it has one.
pub fn open_share_link(lang: Lang, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let Some(payload) = hash.strip_prefix("#lab=") else {
        return;
    };
    open_shared_payload(payload, true, lang, dispatch);
}

/// Opens a share link's payload (asking first, when `ask`), speaking `lang`.
pub fn open_shared_payload(payload: &str, ask: bool, lang: Lang, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Opened or refused, the link is consumed: a reload shows the stored lab.
    if let Ok(history) = window.history() {
        let path = window.location().pathname().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    // Everything is checked before asking: a link that cannot be opened is
    // refused at once, and the stored lab is never touched.
    let (records, journal) = match snaplab_engine::share::open(payload) {
        Ok(opened) => opened,
        Err(e) => {
            return dispatch.emit(Action::Notice(Err(Refusal {
                code: e.code().into(),
                message: e.to_string(),
                rule: None,
            })))
        }
    };
    if ask
        && !window
            .confirm_with_message(tr(lang, "share.confirm"))
            .unwrap_or(false)
    {
        dispatch.emit(Action::PendingShare(Some(payload.to_string())));
        return;
    }
    dispatch.emit(Action::PendingShare(None));
    dispatch.emit(Action::Queue(Work::Replace(Rc::new(Replacement {
        records,
        journal,
        notice: tr(lang, "share.opened").into(),
        locks: Some(snaplab_console::Locks::none()),
    }))));
}
