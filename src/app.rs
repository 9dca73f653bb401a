//! The app: opens the lab, lays out the components, and runs the effects.
//! State lives in [`AppState`] (a pure reducer); all I/O on the lab's
//! database goes through the storage service ([`LabStore`]), called only
//! from the effects and callbacks here. Components get data and callbacks.

use std::rc::Rc;

use snaplab_console::Language;
use snaplab_engine::cmd;
use snaplab_engine::model::Snapshot;
use snaplab_engine::units::human_bytes;
use snaplab_engine::{Command, Lab};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::billing::Billing;
use crate::components::clock::ClockBar;
use crate::components::console::ConsolePanel;
use crate::components::diff::DiffView;
use crate::components::disk_card::DiskCard;
use crate::components::faults::Faults;
use crate::components::history::History;
use crate::components::lessons::Lessons;
use crate::components::manage::Manage;
use crate::components::presenter::Presenter;
use crate::components::snapshots::Snapshots;
use crate::components::storage_panel::StoragePanel;
use crate::components::template::TemplateBlade;
use crate::components::violations::Violations;
use crate::i18n::{tr, Lang};
use crate::services::lab_store::LabStore;
use crate::state::{Action, AppState, Origin, Phase, Refusal, Replacement, StorageFacts, Work};
use crate::storage;

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

/// Opens a share link (`#lab=…` in the address) after asking: its operation
/// log replaces the stored lab, queued like any other replacement. A damaged
/// or tampered link is refused.
fn open_share_link(dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let Some(payload) = hash.strip_prefix("#lab=") else {
        return;
    };
    // Opened or refused, the link is consumed: a reload shows the stored lab.
    if let Ok(history) = window.history() {
        let path = window.location().pathname().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    let refused = |e: snaplab_engine::EngineError| {
        Action::Notice(Err(Refusal {
            code: e.code().into(),
            message: e.to_string(),
            rule: None,
        }))
    };
    let log = match snaplab_engine::share::decode(payload) {
        Ok(log) => log,
        Err(e) => return dispatch.emit(refused(e)),
    };
    if !window
        .confirm_with_message(tr(Lang::default(), "share.confirm"))
        .unwrap_or(false)
    {
        return;
    }
    match snaplab_engine::store::records_for(log) {
        Ok((records, journal)) => {
            dispatch.emit(Action::Queue(Work::Replace(Rc::new(Replacement {
                records,
                journal,
                notice: tr(Lang::default(), "share.opened").into(),
                locks: Some(snaplab_console::Locks::none()),
            }))))
        }
        Err(e) => dispatch.emit(refused(e)),
    }
}

/// `disk1-snap3`: the first free name after the disk's snapshots so far.
pub fn next_snapshot_name(lab: &Lab, disk: &str) -> String {
    let taken: std::collections::BTreeSet<String> =
        lab.snapshots().map(|s| s.at.name.to_lowercase()).collect();
    let suffix = format!("/{}", disk.to_lowercase());
    let of_disk = lab
        .snapshots()
        .filter(|s| {
            s.origin
                .source_resource_id
                .to_lowercase()
                .ends_with(&suffix)
        })
        .count();
    (of_disk + 1..)
        .map(|n| format!("{disk}-snap{n}"))
        .find(|name| !taken.contains(&name.to_lowercase()))
        .expect("a free name exists")
}

fn sorted_snapshots(lab: &Lab) -> Vec<Snapshot> {
    let mut list: Vec<Snapshot> = lab.snapshots().cloned().collect();
    list.sort_by_key(|s| s.seq);
    list
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let store = use_state(LabStore::default);
    let lang = use_state(Lang::default);
    let presenter = use_state(|| false);
    let lesson = use_state(|| None::<String>);
    let shortcuts = use_state(|| false);
    let next_step = use_state(|| 0u32);
    let crash_next = use_state(|| Rc::new(std::cell::Cell::new(false)));
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: Action| state.dispatch(action))
    };

    // Open the lab once.
    {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                let persisted = storage::request_persistence().await;
                match store.open().await {
                    Ok(journal) => {
                        dispatch.emit(Action::Loaded(journal));
                        open_share_link(&dispatch);
                    }
                    Err(message) => dispatch.emit(Action::LoadFailed(message)),
                }
                refresh_storage(dispatch, Some(persisted));
            });
        });
    }

    // Store whatever work is in flight; the reducer waits for the answer.
    {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        let flight = state.in_flight.clone();
        let persisted = state.storage.persisted;
        let crash = (*crash_next).clone();
        use_effect_with(flight.as_ref().map(|(n, _)| *n), move |_| {
            if let Some((n, flight)) = flight {
                if crash.replace(false) {
                    // Fault injection: the tab "closes" after the operation's data is
                    // stored but before its commit record; the reload recovers.
                    spawn_local(async move {
                        store.store_only_chunks(&flight).await;
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    });
                    return;
                }
                spawn_local(async move {
                    match store.store(&flight).await {
                        Ok(()) => dispatch.emit(Action::Committed(n)),
                        Err(e) => dispatch.emit(Action::CommitFailed(n, e)),
                    }
                    refresh_storage(dispatch, persisted);
                });
            }
        });
    }

    // A click: queued behind the work in flight, run through the same
    // execution point as the console (so a lesson's locks apply).
    let submit = {
        let dispatch = dispatch.clone();
        Callback::from(move |command: Command| dispatch.emit(Action::Submit(command)))
    };
    let run_console = {
        let dispatch = dispatch.clone();
        Callback::from(move |(language, script): (Language, String)| {
            dispatch.emit(Action::Queue(Work::Script {
                origin: Origin::Console,
                language,
                script,
            }))
        })
    };
    let run_presenter = {
        let dispatch = dispatch.clone();
        Callback::from(move |(language, script): (Language, String)| {
            dispatch.emit(Action::Queue(Work::Script {
                origin: Origin::Presenter,
                language,
                script,
            }))
        })
    };
    let clear_console = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: ()| dispatch.emit(Action::ClearConsole))
    };
    let export = {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        Callback::from(move |_: ()| {
            let (store, dispatch) = (store.clone(), dispatch.clone());
            spawn_local(async move {
                let result = match store.export().await {
                    Ok((file, records)) => storage::download("snaplab-lab.snaplab", &file)
                        .map(|_| {
                            format!(
                                "Exported the lab: {} in {records} records",
                                human_bytes(file.len() as u64)
                            )
                        })
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                dispatch.emit(Action::Notice(result.map_err(|message| Refusal {
                    code: "ExportFailed".into(),
                    message,
                    rule: None,
                })));
            });
        })
    };
    let fail_next_put = {
        let store = (*store).clone();
        Callback::from(move |_: ()| store.fail_next_put())
    };
    let t = |key: &str| tr(*lang, key);
    // Keyboard shortcuts (listed under `?`); not while typing in a field.
    {
        let (presenter, shortcuts, next_step, submit) = (
            presenter.clone(),
            shortcuts.clone(),
            next_step.clone(),
            submit.clone(),
        );
        use_effect_with((*presenter, *shortcuts, *next_step), move |(p, sc, n)| {
            let (p, sc, n) = (*p, *sc, *n);
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    let typing = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| {
                            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        });
                    if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    match e.key().as_str() {
                        "?" => shortcuts.set(!sc),
                        "Escape" => shortcuts.set(false),
                        "p" => presenter.set(!p),
                        "n" => next_step.set(n + 1),
                        "+" => {
                            submit.emit(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }))
                        }
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }
    let toggle_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |_| presenter.set(!*presenter))
    };
    let close_shortcuts = {
        let shortcuts = shortcuts.clone();
        Callback::from(move |_| shortcuts.set(false))
    };
    let switch_lang = {
        let lang = lang.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                lang.set(if s.value() == "sv" {
                    Lang::Sv
                } else {
                    Lang::En
                });
            }
        })
    };
    let panel = html! {
        <StoragePanel facts={state.storage} log_len={state.lab().log().len()} export={export} dispatch={dispatch.clone()} />
    };

    let body = match &state.phase {
        Phase::Loading => html! { <p class="card" role="status">{ t("app.loading") }</p> },
        Phase::Failed(message) => html! {
            <section class="card refusal" role="alert">
                <h2>{ t("app.failed") }</h2>
                <p>{ message }</p>
                { panel }
            </section>
        },
        Phase::Ready => {
            let lab = state.lab();
            let revision = state.revision;
            let groups: Vec<String> = lab.groups().map(|g| g.name.clone()).collect();
            let events: Vec<_> = lab.events().cloned().collect();
            html! {
                <>
                    <ClockBar now={lab.now().to_azure_string()} busy={state.busy()} submit={submit.clone()} />
                    <Lessons lab={lab.clone()} revision={revision} current={lesson.clone()} dispatch={dispatch.clone()} />
                    if *presenter {
                        <Presenter run={run_presenter} last={Rc::new(state.presenter_lines.clone())} next={*next_step} />
                    }
                    <History lab={lab.clone()} revision={revision} dispatch={dispatch.clone()} submit={submit.clone()} />
                    if let Some(refusal) = &state.last_refusal {
                        <RefusalNotice refusal={refusal.clone()} />
                    }
                    <p class="notice" role="status">{ state.last_message.clone().unwrap_or_default() }</p>
                    <div class="disks">
                        { for lab.disks().map(|disk| html! {
                            <DiskCard key={disk.id()} disk={disk.clone()} revision={revision} next_snapshot={next_snapshot_name(lab, &disk.at.name)}
                                groups={groups.clone()} submit={submit.clone()} />
                        }) }
                    </div>
                    <ConsolePanel lines={Rc::new(state.console_lines.clone())} run={run_console} clear={clear_console} />
                    <Snapshots snapshots={sorted_snapshots(lab)} now={lab.now()} submit={submit.clone()}
                        taken={lab.disks().map(|d| d.at.name.to_lowercase()).collect::<Vec<_>>()} />
                    <div class="columns">
                        <DiffView lab={lab.clone()} revision={revision} />
                        <Billing lab={lab.clone()} revision={revision} />
                    </div>
                    <Violations events={events} />
                    <Manage lab={lab.clone()} revision={revision} submit={submit.clone()} />
                    <TemplateBlade lab={lab.clone()} revision={revision} result={state.deployed.clone()} dispatch={dispatch.clone()} />
                    <Faults lab={lab.clone()} revision={revision} fail_next_put={fail_next_put} crash_next={(*crash_next).clone()} dispatch={dispatch.clone()} />
                    { panel }
                </>
            }
        }
    };

    html! {
        <ContextProvider<Lang> context={*lang}>
          <div class={classes!("app", presenter.then_some("presenter"))}>
            <header class="app-header">
                <div>
                    <h1>{ "Snaplab" }</h1>
                    <p class="tagline">{ t("app.tagline") }</p>
                </div>
                <button type="button" class="presenter-toggle" aria-pressed={presenter.to_string()} onclick={toggle_presenter}>{ t("presenter.toggle") }</button>
                <label class="language">{ t("app.language") }{ " " }
                    <select onchange={switch_lang} aria-label={t("app.language")}>
                        <option value="en" selected={*lang == Lang::En}>{ "English" }</option>
                        <option value="sv" selected={*lang == Lang::Sv}>{ "Svenska" }</option>
                    </select>
                </label>
            </header>
            <main class="app-main" lang={lang.code()}>{ body }</main>
            <footer class="app-footer">{ t("app.footer") }</footer>
            if *shortcuts {
                <div class="wizard shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">{ t("shortcuts.title") }</h2>
                    <dl class="facts">
                        <dt><kbd>{ "?" }</kbd></dt><dd>{ t("shortcuts.help") }</dd>
                        <dt><kbd>{ "p" }</kbd></dt><dd>{ t("shortcuts.presenter") }</dd>
                        <dt><kbd>{ "n" }</kbd></dt><dd>{ t("shortcuts.next") }</dd>
                        <dt><kbd>{ "+" }</kbd></dt><dd>{ t("shortcuts.minute") }</dd>
                    </dl>
                    <button type="button" onclick={close_shortcuts}>{ t("shortcuts.close") }</button>
                </div>
            }
          </div>
        </ContextProvider<Lang>>
    }
}

#[derive(Properties, PartialEq)]
pub struct RefusalProps {
    pub refusal: Refusal,
}

/// A refused action, announced to screen readers where the user acted.
#[function_component(RefusalNotice)]
pub fn refusal_notice(props: &RefusalProps) -> Html {
    html! {
        <div class="refusal" role="alert">
            <strong>{ format!("({}) ", props.refusal.code) }</strong>
            { &props.refusal.message }
            if let Some(rule) = &props.refusal.rule { <span class="rule">{ format!(" Rule {rule}.") }</span> }
        </div>
    }
}
