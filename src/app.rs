//! The app shell: the page's layout, and the hooks that run it (`hooks/`:
//! the lab's effects, keyboard shortcuts, the console dock, the phone
//! layout's sheets). State lives in
//! [`AppState`] (a pure reducer, `state/`); all I/O goes through
//! `services/`. Components get data and callbacks.

use snaplab_console::Language;
use snaplab_engine::units::human_bytes;
use yew::prelude::*;

pub use crate::components::chain::{chain_layers, chain_layers_previewing};
use crate::components::console::ConsolePanel;
use crate::components::header::Header;
use crate::components::storage_panel::StoragePanel;
use crate::components::workspace::Workspace;
pub use crate::components::workspace::{next_snapshot_name, Tab};
use crate::components::LabAt;
use crate::hooks::{
    phone_bar, use_dock, use_document_lang, use_lab, use_phone_sheets, use_shortcuts,
};
use crate::i18n::{tr, Lang};
use crate::services::lab_store::LabStore;
use crate::state::{Action, AppState, Origin, Phase, Refusal, Work};
use crate::storage;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let lang = use_state(Lang::default);
    // Stable callbacks: props holding them compare equal between renders.
    let dispatch = {
        let dispatcher = state.dispatcher();
        use_callback((), move |action: Action, _| dispatcher.dispatch(action))
    };
    let submit = {
        let dispatch = dispatch.clone();
        use_callback((), move |command, _| dispatch.emit(Action::Submit(command)))
    };
    let store = use_lab(&state, &dispatch, *lang);
    let arm_fault = {
        let store = store.clone();
        use_callback((), move |fault, _| store.arm(fault))
    };
    let shortcuts = use_shortcuts(submit.clone());
    let dock = use_dock();
    // A script starting, or its lines arriving, is news for the console.
    let phone = use_phone_sheets(
        state.transcript.lines.len() + usize::from(state.transcript.running.is_some()),
    );
    use_document_lang(*lang);
    let t = |key: &str| tr(*lang, key);
    let lab = {
        // Made once per change of the lab, shared by every panel's props.
        let state = state.clone();
        use_memo(state.revision, move |revision| {
            LabAt::lab(state.lab().clone(), *revision)
        })
    };
    let storage_panel = html! {
        <StoragePanel facts={state.storage} log_len={state.lab().operations()} export={export(&store, &dispatch)} dispatch={dispatch.clone()} />
    };
    let body = match &state.phase {
        Phase::Loading => html! {
            <p class="loading" role="status">
                { t("app.loading") }
                if state.elsewhere.blocked { <br /><strong id="open-blocked">{ t("app.blocked") }</strong> }
            </p>
        },
        Phase::Failed(message) => html! {
            <section class="card refusal failed" role="alert">
                <h2>{ if state.elsewhere.let_go { t("app.letGo") } else { t("app.failed") } }</h2>
                <p>{ message }</p>
                if state.elsewhere.let_go {
                    <p><button type="button" class="primary" id="reload-tab" onclick={Callback::from(|_| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    })}>{ t("app.reload") }</button></p>
                }
                { storage_panel }
            </section>
        },
        Phase::Ready => html! {
            <Workspace lab={(*lab).clone()} notices={state.notices.clone()} pending_share={state.pending_share.clone()}
                presenter_lines={state.transcript.presenter.clone()} redo={state.history.redo.len()} dispatch={dispatch.clone()} submit={submit.clone()}
                presenter={*shortcuts.presenter} next_step={*shortcuts.next_step} storage_panel={storage_panel}
                arm_fault={arm_fault} on_pick_disk={phone.close_drawer.clone()} />
        },
    };
    let ready = state.phase == Phase::Ready;
    html! {
        <ContextProvider<Lang> context={*lang}>
          <div class={classes!("app", shortcuts.presenter.then_some("presenter"), (*phone.drawer).then_some("drawer-open"), (*phone.console).then_some("console-open"))}
            style={format!("--dock: {}px", dock.height)}>
            <Header now={ready.then(|| state.lab().now())} busy={state.busy()} submit={submit.clone()}
                notifications={state.notices.list.clone()} next_notification={state.notices.next}
                presenter={shortcuts.presenter.clone()} lang={lang.clone()} />
            { body }
            if ready {
                <div class="dock" id="console-sheet">
                    // On a phone the console is a full-screen sheet: this closes it.
                    <button type="button" class="sheet-close" id="console-close" onclick={phone.toggle_console.clone()}>{ t("phone.closeConsole") }</button>
                    <div class="dock-handle" role="separator" aria-orientation="horizontal" tabindex="0"
                        aria-label={t("dock.resize")} aria-valuenow={dock.height.to_string()}
                        onpointerdown={dock.start_drag} onkeydown={dock.keys}></div>
                    <ConsolePanel lines={state.transcript.lines.clone()} running={state.transcript.running.clone()}
                        lab={(*lab).clone()} history_key={AttrValue::from(store.lab_id())}
                        run={console_run(&dispatch)} clear={dispatch.reform(|()| Action::ClearConsole)} stop={dispatch.reform(|()| Action::Stop)}
                        show_requests={state.show_requests} toggle_requests={dispatch.reform(Action::ShowRequests)} />
                </div>
                { phone_bar(*lang, &phone) }
                if *phone.drawer {
                    // The shade over the page while the drawer is open: a tap
                    // on it closes the drawer instead of acting on what is beneath.
                    <div class="drawer-shade" aria-hidden="true" onclick={phone.toggle_drawer.clone()}></div>
                }
            }
            if *shortcuts.help {
                <div class="wizard shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">{ t("shortcuts.title") }</h2>
                    <dl class="facts">
                        <dt><kbd>{ "?" }</kbd></dt><dd>{ t("shortcuts.help") }</dd>
                        <dt><kbd>{ "p" }</kbd></dt><dd>{ t("shortcuts.presenter") }</dd>
                        <dt><kbd>{ "n" }</kbd></dt><dd>{ t("shortcuts.next") }</dd>
                        <dt><kbd>{ "+" }</kbd></dt><dd>{ t("shortcuts.minute") }</dd>
                    </dl>
                    <button type="button" onclick={{ let help = shortcuts.help.clone(); Callback::from(move |_| help.set(false)) }}>{ t("shortcuts.close") }</button>
                </div>
            }
          </div>
        </ContextProvider<Lang>>
    }
}

/// A script typed in the console: queued like any other work.
fn console_run(dispatch: &Callback<Action>) -> Callback<(Language, String)> {
    dispatch.reform(|(language, script)| {
        Action::Queue(Work::Script {
            origin: Origin::Console,
            language,
            script,
        })
    })
}

/// Exports the stored lab as a file download, and says how it went.
fn export(store: &LabStore, dispatch: &Callback<Action>) -> Callback<()> {
    let (store, dispatch) = (store.clone(), dispatch.clone());
    Callback::from(move |_: ()| {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let result = match store.export().await {
                Ok((file, records)) => storage::download("snaplab-lab.snaplab", &file)
                    .map(|_| {
                        format!(
                            "Exported the lab: {} in {records} records",
                            human_bytes(file.len() as u64)
                        )
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            dispatch.emit(Action::Notice(result.map_err(|message| Refusal {
                code: "ExportFailed".into(),
                message,
                rule: None,
            })));
        });
    })
}
